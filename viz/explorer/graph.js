// The graph explorer: graphviz's SVG, fitted to the width, with zoom (Ctrl+wheel, buttons), pan
// (drag), fit, full screen, click-to-select and in-place highlighting; the drawing stays SVG,
// so its text can be searched and selected. drawGraph takes Streamlit's custom component v2
// arguments (data, parentElement, setTriggerValue); the notebook's widget calls it with the
// same three (viz/notebook/widget.js).

const VIEWS = new WeakMap();
const MIN_SCALE = 0.05;
const MAX_SCALE = 8;
const CLICK_SLOP_PX = 4;
const EDITOR_FRAME = 'iframe[title="code_editor.code_editor"]';
// A presenter's graph never draws its labels smaller than this (CSS px), unless zoomed out.
const PRESENT_TEXT_PX = 18;
const SVG_NS = "http://www.w3.org/2000/svg";

function parseSvg(text) {
  // Parsed as SVG, never as HTML; graphviz has escaped every name inside it.
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = doc.documentElement;
  return svg && svg.nodeName === "svg" ? document.importNode(svg, true) : null;
}

// The scale at which the drawing's smallest label is PRESENT_TEXT_PX high: graphviz gives
// font sizes in the SVG's own units (points), which the SVG's width maps to pixels.
function readableScale(svg, widthPx) {
  const units = svg.viewBox.baseVal && svg.viewBox.baseVal.width;
  const perUnit = units ? widthPx / units : 1;
  const sizes = [...svg.querySelectorAll("text")]
    .map((text) => parseFloat(text.getAttribute("font-size"))).filter((size) => size > 0);
  return sizes.length ? PRESENT_TEXT_PX / (Math.min(...sizes) * perUnit) : 0;
}

// A box's id (its DOT node id) from its title. The DOT text doubles each backslash of an
// id, and graphviz keeps both in the title: a name with a backslash (`d\/kernel:0`) was
// never matched, so a click on its box opened nothing.
function titleId(title) {
  return title ? title.textContent.replace(/\\\\/g, "\\") : null;
}

function nodeId(element) {
  const group = element.closest("g.node, g.cluster");
  return titleId(group && group.querySelector(":scope > title"));
}

function setUp(root) {
  const box = root.querySelector(".scopeviz-graph");
  const stage = root.querySelector(".sv-stage");
  const zoomLabel = root.querySelector(".sv-zoom");
  // moved: the user zoomed or panned, so a resize no longer refits the width
  const view = { scale: 1, x: 0, y: 0, svgText: null, width: 1, height: 1, trigger: null,
                 moved: false, floor: 0, present: false };

  const apply = () => {
    stage.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    zoomLabel.textContent = `${Math.round(view.scale * 100)}%`;
  };
  const zoomAt = (factor, cx, cy) => {
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
    view.x = cx - ((cx - view.x) * scale) / view.scale;
    view.y = cy - ((cy - view.y) * scale) / view.scale;
    view.scale = scale;
    view.moved = true;
    apply();
  };
  view.fitWidth = () => {
    if (box.clientWidth === 0) return;  // not laid out yet: the resize observer refits
    view.moved = false;
    // A presenter's drawing fills its box (up to 3x): the room reads it from afar.
    const fit = view.present
      ? Math.min(3, (box.clientWidth - 8) / view.width, (box.clientHeight - 8) / view.height)
      : Math.min(1, (box.clientWidth - 8) / view.width);
    view.scale = Math.max(MIN_SCALE, view.floor, fit);
    view.x = 4;
    view.y = 4;
    // A short drawing does not leave an empty box; a tall one scrolls by dragging. A
    // presenter's box keeps the height the page gave it.
    box.style.height = view.present ? ""
      : `${Math.min(view.height * view.scale + 8, window.innerHeight * 0.72)}px`;
    apply();
    if (view.revealIds) view.reveal(view.revealIds);  // a refit keeps the step's box in view
  };
  // Brings the boxes titled with these ids into view: panned to the middle, zoomed out
  // when they do not fit at this scale. Skipped while the box is not laid out.
  view.reveal = (ids) => {
    if (box.clientWidth === 0 || ids.length === 0) return;
    const groups = [...stage.querySelectorAll("g.node, g.cluster")]
      .filter((group) => ids.includes(nodeId(group)));
    if (groups.length === 0) return;
    const svg = stage.querySelector("svg");
    const origin = svg.getBoundingClientRect();
    let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
    for (const group of groups) {
      const rect = group.getBoundingClientRect();
      left = Math.min(left, (rect.left - origin.left) / view.scale);
      top = Math.min(top, (rect.top - origin.top) / view.scale);
      right = Math.max(right, (rect.right - origin.left) / view.scale);
      bottom = Math.max(bottom, (rect.bottom - origin.top) / view.scale);
    }
    const margin = 16;
    if (view.present) {
      // A presenter's room also needs the scopes the box sits in (their labels say where):
      // the outermost scope around it that fits at this (readable) scale.
      for (const cluster of stage.querySelectorAll("g.cluster")) {
        const rect = cluster.getBoundingClientRect();
        const l = (rect.left - origin.left) / view.scale, t = (rect.top - origin.top) / view.scale;
        const r = (rect.right - origin.left) / view.scale;
        const b = (rect.bottom - origin.top) / view.scale;
        const around = l <= left && t <= top && r >= right && b >= bottom;
        const fitsHere = (r - l) * view.scale <= box.clientWidth - 2 * margin
          && (b - t) * view.scale <= box.clientHeight - 2 * margin;
        if (around && fitsHere) [left, top, right, bottom] = [l, t, r, b];
      }
    }
    const fits = Math.min((box.clientWidth - 2 * margin) / (right - left),
                          (box.clientHeight - 2 * margin) / (bottom - top));
    const rescaled = fits < view.scale;
    if (rescaled) view.scale = Math.max(MIN_SCALE, view.floor, fits);
    const shownLeft = -view.x / view.scale, shownTop = -view.y / view.scale;
    const shownRight = shownLeft + box.clientWidth / view.scale;
    const shownBottom = shownTop + box.clientHeight / view.scale;
    if (rescaled || left < shownLeft || right > shownRight || top < shownTop
        || bottom > shownBottom) {
      view.x = box.clientWidth / 2 - ((left + right) / 2) * view.scale;
      view.y = box.clientHeight / 2 - ((top + bottom) / 2) * view.scale;
      // Too big to show whole at a readable size: its top left corner (a scope's label).
      if ((right - left) * view.scale > box.clientWidth - 2 * margin) {
        view.x = margin - left * view.scale;
      }
      if ((bottom - top) * view.scale > box.clientHeight - 2 * margin) {
        view.y = margin - top * view.scale;
      }
      // No empty space past the drawing's edges (a drawing that fits is shown whole).
      const clamp = (value, low) => Math.min(4, Math.max(Math.min(4, low), value));
      view.x = clamp(view.x, box.clientWidth - view.width * view.scale - 4);
      view.y = clamp(view.y, box.clientHeight - view.height * view.scale - 4);
    }
    apply();
  };
  const fitAll = () => {
    view.scale = Math.max(MIN_SCALE, Math.min(1, (box.clientWidth - 8) / view.width,
                                              (box.clientHeight - 8) / view.height));
    view.x = (box.clientWidth - view.width * view.scale) / 2;
    view.y = 4;
    apply();
  };
  const buttons = {
    "sv-in": () => zoomAt(1.25, box.clientWidth / 2, box.clientHeight / 2),
    "sv-out": () => zoomAt(0.8, box.clientWidth / 2, box.clientHeight / 2),
    "sv-fit": fitAll,
    "sv-width": view.fitWidth,
    "sv-full": () => {
      // A presenter's full screen keeps the code and the step's sentence: the whole page.
      const frame = view.present ? document.documentElement : root.querySelector(".sv-root");
      if (document.fullscreenElement) document.exitFullscreen();
      else if (frame.requestFullscreen) frame.requestFullscreen();
    },
  };
  for (const [name, action] of Object.entries(buttons)) {
    root.querySelector(`.${name}`).addEventListener("click", action);
  }
  root.querySelector(".sv-root").addEventListener("fullscreenchange", () => {
    if (view.present) return;
    box.style.height = document.fullscreenElement ? "calc(100vh - 48px)" : "";
    if (document.fullscreenElement) fitAll(); else view.fitWidth();
  });
  // The wheel scrolls the page past the graph; Ctrl (Cmd) + wheel, and a trackpad's pinch
  // (which the browser sends as a wheel with Ctrl), zooms: as embedded maps do.
  box.addEventListener("wheel", (event) => {
    if (!event.ctrlKey && !event.metaKey) return;
    event.preventDefault();
    const rect = box.getBoundingClientRect();
    zoomAt(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - rect.left,
           event.clientY - rect.top);
  }, { passive: false });

  let drag = null;
  box.addEventListener("pointerdown", (event) => {
    drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y, moved: false };
    box.setPointerCapture(event.pointerId);
  });
  box.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > CLICK_SLOP_PX) drag.moved = true;
    if (drag.moved) {
      view.x = drag.vx + dx;
      view.y = drag.vy + dy;
      view.moved = true;
      apply();
    }
  });
  box.addEventListener("pointerup", (event) => {
    const wasClick = drag && !drag.moved;
    drag = null;
    if (!wasClick) return;
    // The pointer was captured by the box: find what lies under it.
    const under = root.elementFromPoint
      ? root.elementFromPoint(event.clientX, event.clientY)
      : document.elementFromPoint(event.clientX, event.clientY);
    const id = under && stage.contains(under) ? nodeId(under) : null;
    if (id && view.trigger) view.trigger("clicked", id);
  });
  // The keyboard: Enter or Space opens a box's details as a click does; the arrow keys move
  // to the nearest box in their direction (the drawing is one tab stop).
  stage.addEventListener("keydown", (event) => {
    const group = event.target.closest && event.target.closest("g.node, g.cluster");
    if (!group) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      view.keyboardOpened = true;
      if (view.trigger) view.trigger("clicked", nodeId(group));
      return;
    }
    const direction = ARROWS[event.key];
    if (!direction) return;
    event.preventDefault();
    const next = neighbour(stage, group, direction);
    if (next) focusBox(view, stage, next);
  });
  // Fits the width at every size (a narrower window, the sidebar opened) until the user
  // zooms or pans.
  new ResizeObserver(() => { if (!view.moved) view.fitWidth(); }).observe(box);
  return view;
}

const ARROWS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

// The boxes a keyboard reaches (variables, series, scopes), each with its place in the
// drawing's own units, in reading order: top to bottom, then left to right.
function placedBoxes(stage) {
  return [...stage.querySelectorAll("g.node, g.cluster")]
    .filter((group) => group.querySelector(":scope > title"))
    .map((group) => {
      const box = group.getBBox();
      return { group, x: box.x, y: box.y, cx: box.x + box.width / 2,
               cy: box.y + box.height / 2 };
    })
    .sort((a, b) => a.y - b.y || a.x - b.x);
}

// Every box can take the focus; the first in reading order is the drawing's one tab stop
// (the arrow keys move it), and a box says what it is: its full name, or its scope's path.
function makeFocusable(stage) {
  const placed = placedBoxes(stage);
  for (const { group } of placed) {
    group.setAttribute("tabindex", "-1");
    group.setAttribute("role", "button");
    const id = nodeId(group);
    group.setAttribute("aria-label", id.startsWith("cluster_") ? `scope ${id.slice(8)}` : id);
  }
  if (placed.length) placed[0].group.setAttribute("tabindex", "0");
}

// The nearest box whose centre lies in the arrow's direction, straight ahead first.
function neighbour(stage, group, [dx, dy]) {
  const placed = placedBoxes(stage);
  const from = placed.find((entry) => entry.group === group);
  let best = null;
  let bestScore = Infinity;
  for (const entry of placed) {
    const along = (entry.cx - from.cx) * dx + (entry.cy - from.cy) * dy;
    const across = Math.abs((entry.cx - from.cx) * dy - (entry.cy - from.cy) * dx);
    const score = along + 2 * across;
    if (entry.group !== group && along > 1 && score < bestScore) {
      best = entry.group;
      bestScore = score;
    }
  }
  return best;
}

function focusBox(view, stage, group) {
  for (const other of stage.querySelectorAll('[tabindex="0"]')) other.setAttribute("tabindex", "-1");
  group.setAttribute("tabindex", "0");
  group.focus({ preventScroll: true });
  if (group.classList.contains("node")) view.reveal([nodeId(group)]);
}

// A text with `quoted` names as code, built as text nodes: names are the snippet's, never
// markup.
function withCode(parent, text) {
  text.split("`").forEach((part, index) => {
    if (!part) return;
    if (index % 2) {
      const code = document.createElement("code");
      code.textContent = part;
      parent.append(code);
    } else {
      parent.append(part);
    }
  });
}

// The clicked box's card over the graph: the facts and why it has its name, and Close
// (Escape too).
function showCard(view, box, details, selectedId) {
  const key = JSON.stringify(details);
  if (key === view.cardKey) return;
  view.cardKey = key;
  if (view.card) view.card.remove();
  view.card = null;
  if (!details) return;
  const card = document.createElement("section");
  card.className = "sv-card";
  card.setAttribute("aria-label", `Details of ${details.title}`);
  const head = document.createElement("div");
  head.className = "sv-card-head";
  const title = document.createElement("h3");
  title.textContent = details.title;
  const close = document.createElement("button");
  close.className = "sv-card-close";
  close.textContent = "Close";
  close.addEventListener("click", () => { if (view.close) view.close("closed", true); });
  head.append(title, close);
  const rows = document.createElement("dl");
  for (const [label, value] of details.rows) {
    const term = document.createElement("dt");
    term.textContent = label;
    const data = document.createElement("dd");
    withCode(data, value);
    rows.append(term, data);
  }
  card.append(head, rows);
  for (const sentence of details.why) {
    const paragraph = document.createElement("p");
    withCode(paragraph, sentence);
    card.append(paragraph);
  }
  // The card is not the drawing: no drag, no click-to-select, its own scrolling.
  card.addEventListener("pointerdown", (event) => event.stopPropagation());
  card.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close.click();
  });
  box.append(card);
  view.card = card;
  // Level with the clicked box and on the side away from it (both in view at once), inside
  // the graph's box; then in view as a whole, wherever the page was scrolled to (the least
  // scrolling).
  requestAnimationFrame(() => {
    const clicked = [...box.querySelectorAll("g.node, g.cluster")]
      .find((group) => nodeId(group) === selectedId);
    const frame = box.getBoundingClientRect();
    const place = clicked ? clicked.getBoundingClientRect() : null;
    const top = place ? place.top - frame.top : 8;
    card.style.top = `${Math.max(8, Math.min(top, box.clientHeight - card.offsetHeight - 8))}px`;
    if (place && place.left + place.width / 2 - frame.left > box.clientWidth / 2) {
      card.style.left = "8px";
      card.style.right = "auto";
    }
    card.scrollIntoView({ block: "nearest" });
  });
}

// After Enter opened a box's card (the page's rerun), the focus goes to the card; once it is
// closed, back to the box.
function followCard(view, tries = 40) {
  clearTimeout(view.cardRetry);
  const card = view.card || document.querySelector(".st-key-details_card");
  if (card) {
    const control = card.querySelector("button, input");
    if (control) {
      card.scrollIntoView({ block: "nearest" });
      control.focus();
      view.keyboardOpened = "card";
      return;
    }
  }
  if (tries > 0) view.cardRetry = setTimeout(() => followCard(view, tries - 1), 100);
}

// The boxes of the line the editor's cursor is on, while the editor holds the text that ran.
function cursorBoxes(view) {
  const data = view.data;
  if (!view.editor || !data.lines || data.source == null) return [];
  if (view.editor.getValue() !== data.source) return [];
  return data.lines[String(view.editor.getCursorPosition().row + 1)] || [];
}

// The code editor is another component, an iframe of this page's origin whose Ace editor
// knows where the cursor is (the component itself reports selections only). Looked up on
// every render, since a loaded example makes a new editor, and while it is still loading.
function findEditor() {
  try {
    const frame = document.querySelector(EDITOR_FRAME);
    const ace = frame && frame.contentDocument
      && frame.contentDocument.querySelector(".ace_editor");
    return (ace && ace.env && ace.env.editor) || null;
  } catch (error) {
    return null;  // out of reach: nothing follows the editor, nothing else changes
  }
}

function followEditor(view, refresh, tries = 40) {
  clearTimeout(view.editorRetry);
  const editor = findEditor();
  if (!editor) {
    if (tries > 0) {
      view.editorRetry = setTimeout(() => followEditor(view, refresh, tries - 1), 250);
    }
    return;
  }
  if (view.editor === editor) return;
  view.editor = editor;
  editor.selection.on("changeCursor", refresh);
  editor.on("change", refresh);
  refresh();
}

// Brings this line (1-based) into the code editor's view; the editor may still be loading
// after a rerun, so it is looked for a few times.
function scrollEditorTo(view, line, tries = 20) {
  clearTimeout(view.scrollRetry);
  const editor = findEditor();
  // Until the editor has laid out its rows, every row seems out of view.
  if (!editor || editor.renderer.getLastFullyVisibleRow() < 1) {
    if (tries > 0) view.scrollRetry = setTimeout(() => scrollEditorTo(view, line, tries - 1), 150);
    return;
  }
  // A line already in view stays where it is; another is scrolled to the middle.
  if (!editor.isRowFullyVisible(line - 1)) editor.scrollToLine(line - 1, true, false, () => {});
}

// A box standing for many (a series, a folded scope) with matches inside gets a badge on
// its top edge: "3 matching inside". Built as SVG text, so names stay text, never markup.
function insideBadge(group, count) {
  const shape = group.querySelector("polygon, path, ellipse");
  if (!shape) return;
  const box = shape.getBBox();
  const badge = document.createElementNS(SVG_NS, "g");
  badge.setAttribute("class", "sv-inside-badge");
  const text = document.createElementNS(SVG_NS, "text");
  text.setAttribute("x", box.x + box.width / 2);
  text.setAttribute("y", box.y - 3);  // above the box: its label stays readable
  text.setAttribute("text-anchor", "middle");
  text.textContent = `${count} matching inside`;
  const back = document.createElementNS(SVG_NS, "rect");
  badge.append(back, text);
  group.append(badge);
  const size = text.getBBox();
  back.setAttribute("x", size.x - 6);
  back.setAttribute("y", size.y - 1);
  back.setAttribute("width", size.width + 12);
  back.setAttribute("height", size.height + 2);
  back.setAttribute("rx", (size.height + 2) / 2);
}

function highlight(stage, data, cursor) {
  const focus = new Set([...(data.focus || []), ...cursor]);
  const needle = (data.search || "").trim().toLowerCase();
  const inside = data.inside || {};
  let matches = 0;
  for (const old of stage.querySelectorAll(".sv-inside-badge")) old.remove();
  for (const group of stage.querySelectorAll("g.node, g.cluster")) {
    const id = nodeId(group) || "";
    group.classList.toggle("sv-focus", focus.has(id));
    const hit = needle !== "" && group.classList.contains("node")
      && (id.toLowerCase().includes(needle) || group.textContent.toLowerCase().includes(needle));
    group.classList.toggle("sv-match", hit);
    group.classList.toggle("sv-match-inside", Boolean(inside[id]));
    if (hit) matches += 1;
    if (inside[id]) insideBadge(group, inside[id]);
  }
  return matches;
}

// What the toolbar says of a highlight: the boxes it marks, and the matches folded inside
// boxes that stand for many (which a label's text does not show).
function matchNote(data, matches) {
  if (!(data.search || "").trim()) return "";
  const counts = Object.values(data.inside || {});
  const folded = counts.reduce((sum, n) => sum + n, 0);
  if (!folded) return `${matches} matching`;
  const boxes = counts.length === 1 ? "1 folded box" : `${counts.length} folded boxes`;
  return `${matches} matching, ${folded} more inside ${boxes}`;
}

function drawGraph(component) {
  const { data, parentElement, setTriggerValue } = component;
  let view = VIEWS.get(parentElement);
  if (!view) {
    view = setUp(parentElement);
    VIEWS.set(parentElement, view);
  }
  view.trigger = setTriggerValue;
  view.close = setTriggerValue;
  view.present = Boolean(data.present);
  const frame = parentElement.querySelector(".sv-root");
  frame.classList.toggle("sv-present", view.present);
  if (data.height) frame.style.setProperty("--sv-height", data.height);
  // The step-through's boxes, kept in view by every fit below (see reveal).
  view.revealIds = data.reveal ? data.focus || [] : null;
  const stage = parentElement.querySelector(".sv-stage");
  if (data.svg !== view.svgText) {
    view.svgText = data.svg;
    const svg = parseSvg(data.svg);
    stage.replaceChildren(...(svg ? [svg] : []));
    if (svg) {
      view.width = svg.width.baseVal.value || 1;
      view.height = svg.height.baseVal.value || 1;
    }
    view.floor = data.present && svg ? readableScale(svg, view.width) : 0;
    view.fitWidth();
    makeFocusable(stage);
  }
  view.data = data;
  const refresh = () => {
    const matches = highlight(stage, view.data, cursorBoxes(view));
    parentElement.querySelector(".sv-matches").textContent = matchNote(view.data, matches);
  };
  refresh();
  if (data.lines && data.source != null) followEditor(view, refresh);
  // The step-through: its box and its line come into view whenever the step changes.
  const revealKey = data.reveal ? JSON.stringify([data.svg.length, data.focus]) : null;
  if (revealKey !== null && revealKey !== view.revealed) {
    view.revealed = revealKey;
    requestAnimationFrame(() => view.reveal(view.revealIds || []));
  }
  showCard(view, parentElement.querySelector(".scopeviz-graph"), data.details,
           (data.focus || [])[0]);
  const selected = (data.focus || []).some((id) => id);
  if (view.keyboardOpened === true && selected) followCard(view);
  if (view.keyboardOpened === "card" && !selected) {
    view.keyboardOpened = false;
    const box = stage.querySelector('[tabindex="0"]');
    if (box) box.focus();
  }
  // A new highlight (or a drawing opened for it) brings its first box into view.
  const searchKey = JSON.stringify([data.search, data.svg.length, data.inside]);
  if (!data.reveal && (data.search || "").trim() && searchKey !== view.searched) {
    view.searched = searchKey;
    const first = stage.querySelector("g.node.sv-match, g.node.sv-match-inside");
    if (first) requestAnimationFrame(() => view.reveal([nodeId(first)]));
  }
  if (data.editor_line != null && data.editor_line !== view.editorLine) {
    view.editorLine = data.editor_line;
    scrollEditorTo(view, data.editor_line);
  }
}

export default drawGraph;
