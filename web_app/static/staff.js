// One-tap copy of a WeChat ID (staff add it in WeChat on their phone). Same-origin file: the
// console's CSP allows no inline script.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.copy[data-copy]");
  if (!button) {
    return;
  }
  var done = function () { button.textContent = "已复制"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(button.dataset.copy).then(done, function () {});
  } else {
    var scratch = document.createElement("textarea");
    scratch.value = button.dataset.copy;
    document.body.appendChild(scratch);
    scratch.select();
    document.execCommand("copy");
    document.body.removeChild(scratch);
    done();
  }
});

// A page showing work in progress (更新模型) reloads itself until the work is done.
(function () {
  var busy = document.querySelector("[data-refresh]");
  if (busy) {
    setTimeout(function () { window.location.reload(); }, 1000 * Number(busy.dataset.refresh));
  }
})();
