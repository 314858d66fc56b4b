// The notebook's graph explorer: the app's (viz/explorer/graph.js, joined before this by
// viz/notebook/widget.py) in an anywidget. A click on a box, or the card's Close, goes to the
// kernel as a message; the kernel answers with new data (the box outlined, its card).
function render({ model, el }) {
  el.classList.add("scopeviz-widget");
  el.innerHTML = model.get("html");
  const draw = () => drawGraph({
    data: model.get("data"),
    parentElement: el,
    setTriggerValue: (name, value) => model.send({ [name]: value }),
  });
  draw();
  model.on("change:data", draw);
}

export default { render };
