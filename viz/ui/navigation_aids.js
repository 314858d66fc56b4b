// Ways through the page (see navigation_aids.py). Runs in the page itself: the skip links
// are the document's first tab stops, the editors are iframes of this origin.

const EDITOR_FRAME = 'iframe[title="code_editor.code_editor"]';
const STYLE = `
.sv-skip { position: fixed; left: 8px; top: 8px; z-index: 1000100; display: flex; gap: 8px; }
.sv-skip a { position: absolute; left: -10000px; padding: 8px 14px; border-radius: 6px;
  background: #0b57d0; color: #ffffff; font: 600 16px "Source Sans Pro", sans-serif;
  text-decoration: none; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.35); }
.sv-skip a:focus { position: static; outline: 3px solid #ffbf47; outline-offset: 2px; }
.sv-graph-jump { position: fixed; right: 16px; bottom: 16px; z-index: 1000090; display: none;
  padding: 8px 14px; border-radius: 18px; background: #0b57d0; color: #ffffff;
  font: 600 15px "Source Sans Pro", sans-serif; text-decoration: none;
  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.35); }
.sv-graph-jump:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
@media (max-width: 1000px) { .sv-graph-jump.sv-away { display: block; } }
`;

// The graph explorer's box (in its component's shadow root), and its box that holds the
// tab stop.
function findGraph() {
  for (const host of document.querySelectorAll("*")) {
    const graph = host.shadowRoot && host.shadowRoot.querySelector(".scopeviz-graph");
    if (graph && graph.querySelector("svg")) return graph;
  }
  return null;
}

function aceOf(frame) {
  try {
    const node = frame.contentDocument && frame.contentDocument.querySelector(".ace_editor");
    return (node && node.env && node.env.editor) || null;
  } catch (error) {
    return null;
  }
}

function toEditor(event) {
  event.preventDefault();
  const frame = document.querySelector(EDITOR_FRAME);
  const editor = frame && aceOf(frame);
  if (!editor) return;
  frame.scrollIntoView({ block: "center" });
  editor.focus();
}

function toGraph(event) {
  event.preventDefault();
  const graph = findGraph();
  if (!graph) return;
  (graph.closest(".sv-root") || graph).scrollIntoView({ block: "start" });  // its toolbar too
  const box = graph.querySelector('[tabindex="0"]');
  if (box) box.focus({ preventScroll: true });
}

function link(text, className, action) {
  const anchor = document.createElement("a");
  anchor.href = "#";
  anchor.className = className;
  anchor.textContent = text;
  anchor.addEventListener("click", action);
  return anchor;
}

function install() {
  const style = document.createElement("style");
  style.textContent = STYLE;
  document.head.append(style);
  const skip = document.createElement("nav");
  skip.className = "sv-skip";
  skip.setAttribute("aria-label", "Skip links");
  skip.append(link("Skip to the editor", "sv-skip-editor", toEditor),
              link("Skip to the graph", "sv-skip-graph", toGraph));
  document.body.prepend(skip);
  const jump = link("Graph \u2193", "sv-graph-jump", toGraph);
  jump.setAttribute("aria-label", "Jump to the graph");
  document.body.append(jump);
  return { skip, jump, observed: null };
}

// Each pass: the skip links that have a target, the jump link while the graph is out of
// view, the sidebar's controls out of the tab order while it is closed, and each editor's
// Escape. Editors and the graph come and go with reruns, so this runs a few times a second.
function tick(page) {
  const graph = findGraph();
  page.skip.querySelector(".sv-skip-graph").hidden = !graph;
  page.skip.querySelector(".sv-skip-editor").hidden = !document.querySelector(EDITOR_FRAME);
  if (graph !== page.observed) {
    if (page.watcher) page.watcher.disconnect();
    page.observed = graph;
    page.jump.classList.remove("sv-away");
    if (graph) {
      page.watcher = new IntersectionObserver(([entry]) => {
        page.jump.classList.toggle("sv-away", !entry.isIntersecting);
      });
      page.watcher.observe(graph);
    }
  }
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  if (sidebar) sidebar.inert = sidebar.getAttribute("data-collapsed") === "true";
  for (const frame of document.querySelectorAll(EDITOR_FRAME)) {
    const editor = aceOf(frame);
    if (!editor || editor.svEscape) continue;
    // The component binds Escape to leaving its snippet-editing session, which this app
    // never opens; it shadowed Ace's own Escape (blurTextInput: the box keeps the focus and
    // Tab moves on).
    const exit = editor.commands.byName.exitSession;
    if (exit) editor.commands.removeCommand(exit);
    // Its scroll bars took a tab stop of their own after the editor box.
    for (const bar of editor.container.querySelectorAll(".ace_scrollbar")) {
      bar.setAttribute("tabindex", "-1");
    }
    editor.svEscape = true;
  }
}

const HEADER_PX = 72;  // Streamlit's fixed header, and a little air

function scrollParent(element) {
  for (let node = element.parentElement; node; node = node.parentElement) {
    const overflow = getComputedStyle(node).overflowY;
    if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) {
      return node;
    }
  }
  return document.scrollingElement;
}

// A run that failed: its message and its line in the editor, both in view when they fit
// (where the results follow the code, the line at the top and the message's first lines). The message comes with its element's code, and the
// editor lays out its rows a frame later: both are waited for.
function showError(line, tries = 30) {
  const message = document.querySelector(".st-key-run_error");
  const frame = document.querySelector(EDITOR_FRAME);
  const editor = frame && aceOf(frame);
  if (!message || !message.getBoundingClientRect().height || (line && !editor)) {
    if (tries > 0) setTimeout(() => showError(line, tries - 1), 100);
    return;
  }
  if (line) editor.scrollToLine(line - 1, true, false, () => {});
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const text = message.getBoundingClientRect();
    let top = text.top;
    let bottom = text.bottom;
    if (line) {
      editor.renderer.updateFull(true);
      const row = frame.getBoundingClientRect().top
        + editor.renderer.textToScreenCoordinates(line - 1, 0).pageY;
      top = Math.min(top, row);
      bottom = Math.max(bottom, row + editor.renderer.lineHeight);
    }
    const room = window.innerHeight - 8 - HEADER_PX;
    let shift = 0;
    if (bottom - top > room) shift = top - HEADER_PX;  // the first at the top, the other begun
    else if (top < HEADER_PX) shift = top - HEADER_PX;
    else if (bottom > window.innerHeight - 8) shift = bottom - (window.innerHeight - 8);
    if (shift) scrollParent(message).scrollBy(0, shift);
  }));
}

export default function ({ data }) {
  if (!window.scopevizPage) {
    window.scopevizPage = install();
    tick(window.scopevizPage);
    setInterval(() => tick(window.scopevizPage), 300);
  }
  const page = window.scopevizPage;
  if (data.run !== page.run) {
    page.run = data.run;
    if (data.failed) showError(data.error_line);
  }
}
