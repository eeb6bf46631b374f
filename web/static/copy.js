// Copy buttons: a button with data-copy="ID" copies the text of element ID.
// Without JavaScript the buttons stay hidden and the values stay selectable.
document.querySelectorAll("button[data-copy]").forEach(function (b) {
  if (!navigator.clipboard) return;
  b.hidden = false;
  var label = b.firstChild.textContent;
  b.addEventListener("click", function () {
    var el = document.getElementById(b.dataset.copy);
    navigator.clipboard.writeText(el.textContent).then(function () {
      b.firstChild.textContent = b.dataset.done || label;
      setTimeout(function () { b.firstChild.textContent = label; }, 2000);
    });
  });
});
