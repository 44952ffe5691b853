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

// 人工接待 (web_app/staff/takeover_views.py): the queue and the chat refresh themselves; a new
// waiting visitor rings (a short tone, and the browser's notification when allowed). Everything
// shown is set as text, never as HTML.
(function () {
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function csrf() {
    var field = document.querySelector("input[name=csrf]");
    return field ? field.value : "";
  }
  function ring(count) {
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.3);
    } catch (e) { /* no sound on this browser */ }
    if (window.Notification && Notification.permission === "granted") {
      new Notification("有访客在等待人工客服", { body: "等待中：" + count + " 位" });
    }
  }

  var queue = document.getElementById("takeover");
  if (queue) {
    var waitingCount = queue.querySelectorAll(".waiting li.card").length;
    var permission = queue.querySelector(".notify-permission");
    if (permission) {
      permission.hidden = !window.Notification || Notification.permission === "granted";
      permission.addEventListener("click", function () {
        Notification.requestPermission().then(function () { permission.hidden = Notification.permission === "granted"; });
      });
    }
    var fill = function (selector, items, render, empty) {
      var list = queue.querySelector(selector);
      list.textContent = "";
      if (!items.length) { list.appendChild(el("li", "empty", empty)); }
      items.forEach(function (item) { list.appendChild(render(item)); });
    };
    var refresh = function () {
      fetch(queue.dataset.state, { credentials: "same-origin" }).then(function (answer) {
        if (!answer.ok) { throw new Error(answer.status); }
        return answer.json();
      }).then(function (state) {
        fill(".waiting", state.waiting, function (r) {
          var li = el("li", "card");
          li.appendChild(el("span", "meta", r.channel + " · 已等待 " + r.waited + " 秒"));
          li.appendChild(el("p", null, r.last));
          var form = el("form");
          form.method = "post";
          form.action = "/staff/takeover/" + r.id + "/accept";
          var token = el("input");
          token.type = "hidden"; token.name = "csrf"; token.value = csrf();
          form.appendChild(token);
          var accept = el("button", null, "接入");
          accept.type = "submit";
          form.appendChild(accept);
          li.appendChild(form);
          return li;
        }, "现在没有等待的访客。");
        fill(".mine", state.mine, function (r) {
          var li = el("li", "card");
          var a = el("a", null, r.channel + " · " + (r.last || "（访客还没说话）"));
          a.href = "/staff/takeover/" + r.id;
          li.appendChild(a);
          return li;
        }, "没有。");
        if (state.online && state.waiting.length > waitingCount) { ring(state.waiting.length); }
        waitingCount = state.waiting.length;
      }).catch(function () { /* the next poll tries again */ });
    };
    setInterval(refresh, 3000);
  }

  var chat = document.getElementById("chat");
  if (chat) {
    var shown = chat.children.length;
    var labels = { visitor: "访客", assistant: "助手" };
    var poll = function () {
      fetch(chat.dataset.messages, { credentials: "same-origin" }).then(function (answer) {
        if (!answer.ok) { throw new Error(answer.status); }
        return answer.json();
      }).then(function (found) {
        found.messages.slice(shown).forEach(function (m) {
          var li = el("li", m.who);
          li.appendChild(el("span", "who", (m.agent ? "客服 " + m.agent : labels[m.who]) + " · " + m.time));
          li.appendChild(el("p", null, m.text));
          if (m.buttons && m.buttons.length) { li.appendChild(el("p", "buttons", "按钮：" + m.buttons.join(" / "))); }
          chat.appendChild(li);
        });
        shown = Math.max(shown, found.messages.length);
      }).catch(function () { /* the next poll tries again */ });
    };
    setInterval(poll, 1500);
    var say = document.getElementById("say");
    if (say) {
      say.addEventListener("submit", function (event) {
        event.preventDefault();
        var box = say.querySelector("textarea");
        if (!box.value.trim()) { return; }
        var body = new URLSearchParams(new FormData(say));
        box.value = "";
        fetch(say.action, { method: "POST", body: body, credentials: "same-origin" }).then(poll);
      });
    }
  }
})();

// A page showing work in progress (更新模型) reloads itself until the work is done.
(function () {
  var busy = document.querySelector("[data-refresh]");
  if (busy) {
    setTimeout(function () { window.location.reload(); }, 1000 * Number(busy.dataset.refresh));
  }
})();
