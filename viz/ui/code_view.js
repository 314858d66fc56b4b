// The presenter's code panel: the snippet with line numbers, the step's line marked and
// scrolled into the panel's view (the panel scrolls, never the page). Built with
// textContent only: the snippet's text never becomes markup.

const PANELS = new WeakMap();

function build(box, source) {
  const rows = source.split("\n").map((text, index) => {
    const row = document.createElement("div");
    row.className = "cv-line";
    const number = document.createElement("span");
    number.className = "cv-number";
    number.textContent = String(index + 1);
    const code = document.createElement("span");
    code.className = "cv-text";
    code.textContent = text || " ";
    row.append(number, code);
    return row;
  });
  box.replaceChildren(...rows);
}

// The marked line in the middle of the panel, unless it is fully in view already.
function reveal(box, row) {
  const top = row.offsetTop - box.offsetTop;
  const bottom = top + row.offsetHeight;
  if (top >= box.scrollTop && bottom <= box.scrollTop + box.clientHeight) return;
  box.scrollTop = Math.max(0, top - (box.clientHeight - row.offsetHeight) / 2);
}

export default function (component) {
  const { data, parentElement } = component;
  const box = parentElement.querySelector(".cv-box");
  let panel = PANELS.get(parentElement);
  if (!panel) {
    panel = {};
    PANELS.set(parentElement, panel);
  }
  box.style.setProperty("--cv-height", data.height || "60vh");
  if (panel.source !== data.source) {
    panel.source = data.source;
    panel.line = null;
    build(box, data.source);
  }
  if (panel.line === data.line) return;
  panel.line = data.line;
  box.querySelectorAll(".cv-mark").forEach((row) => row.classList.remove("cv-mark"));
  const row = data.line ? box.children[data.line - 1] : null;
  if (row) {
    row.classList.add("cv-mark");
    requestAnimationFrame(() => reveal(box, row));
  }
}
