"""Why-these-names sentences (viz.core.explain)."""

from __future__ import annotations

from support import load_trace


def test_why_these_names_for_the_seed() -> None:
    from viz.core.explain import explain

    seed_1 = [s.text for s in explain(load_trace("seed_1_name_scope_vs_variable_scope"))]
    assert seed_1[2] == ("v3 is vsc1/v3 and not nsc1/vsc1/v3 because tf.get_variable ignores "
                         "name scopes and only uses variable scopes.")
    assert seed_1[3] == ("v4 is nsc1_1/v4 and not nsc1/v4 because name scope nsc1 was already "
                         "used at line 12, so TF appended _1 and opened nsc1_1.")
    seed_3 = explain(load_trace("seed_3_get_variable_sharing"))
    reuse = seed_3[4]
    assert (reuse.subject, reuse.line) == ("image_filters/conv1/weights:0", 15)
    assert reuse.text.startswith("line 15 reuses image_filters/conv1/weights because "
                                 "scope.reuse_variables() was called on image_filters at line 35")
