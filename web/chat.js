/*
 * Starts the 创意岭 chat widget (rasa-webchat, loaded just before this file).
 * Options are data- attributes of this <script> tag, so the embed snippet stays two lines:
 *   data-socket-url   Rasa server URL (required), e.g. https://bot.example.com
 *   data-title        header title              (default 创意岭客服助手)
 *   data-subtitle     header subtitle
 *   data-placeholder  input hint                (default 请输入您的问题)
 *   data-main-color   header, launcher, buttons (CSS colour)
 *   data-user-color   visitor's bubbles          (defaults to the main colour)
 *   data-avatar       the assistant's picture    (default avatar.svg beside this file)
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var options = script.dataset;
  var mainColor = options.mainColor || "#b8322b";

  // chat.css (Chinese fonts, typing text) lives next to this file; load it from there
  // so an embedding page needs no third line.
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("chat.css", script.src).href;
  document.head.appendChild(css);

  if (!options.socketUrl || !window.WebChat) {
    console.error("创意岭客服: data-socket-url is missing or webchat.js did not load first");
    return;
  }

  window.WebChat.default({
    socketUrl: options.socketUrl,
    socketPath: "/socket.io/",
    // Rasa's socket handler crashes on a null first message: greet instead.
    initPayload: "/greet",
    title: options.title || "创意岭客服助手",
    subtitle: options.subtitle || "运营与推广问题，随时为您解答",
    inputTextFieldHint: options.placeholder || "请输入您的问题",
    connectingText: "正在连接客服助手…",
    // Show the launcher even before the socket is up, so a visitor always finds it.
    hideWhenNotConnected: false,
    // Rules are a Botfront server feature; plain Rasa never sends them.
    withRules: false,
    // localStorage keeps the conversation across reloads and tabs of the same visitor.
    params: { storage: "local" },
    // A short, natural pause: long enough to see the typing text, never a wait.
    customMessageDelay: function (message) {
      return Math.min(300 + (message || "").length * 4, 900);
    },
    // Each message shows the time it was sent (HH:MM, the visitor's clock).
    showMessageDate: function (timestamp) {
      var at = new Date(timestamp);
      return ("0" + at.getHours()).slice(-2) + ":" + ("0" + at.getMinutes()).slice(-2);
    },
    profileAvatar: options.avatar || new URL("avatar.svg", script.src).href,
    titleAvatar: options.avatar || new URL("avatar.svg", script.src).href,
    onWidgetEvent: { onChatClose: function () { askForChatRating(); } },
    // The conversation's rating token (channels/rating_token.py), sent with every rating.
    onSocketEvent: { rating_token: keepRatingToken },
    mainColor: mainColor,
    userBackgroundColor: options.userColor || mainColor,
    userTextColor: "#ffffff"
  }, null);

  // --- What rasa-webchat's options do not cover ------------------------------------------

  // Chinese input: some browsers report Enter while a pinyin/zhuyin candidate is still being
  // chosen, and rasa-webchat sends on any Enter (keyCode 13). Such an Enter never reaches it;
  // the input method still gets it (no preventDefault). Arrow keys and Enter also choose a
  // suggestion (below) while the list is open.
  window.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target || !target.classList || !target.classList.contains("rw-new-message")) {
      return;
    }
    if (event.isComposing || event.keyCode === 229) {
      event.stopImmediatePropagation();
      return;
    }
    if (suggestKey(event)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // --- Suggestions while typing: the page's questions (suggestions.json, from the knowledge
  // base), found by Simplified, Traditional or pinyin initials (tbyy); tap, click or arrows + Enter.
  var questions = [];
  var shown = [];
  var active = -1;
  if (window.fetch) {
    fetch(new URL("suggestions.json", script.src).href).then(function (r) { return r.json(); })
      .then(function (list) { questions = list; }).catch(function () {});
  }

  function suggestionBox() {
    var box = document.querySelector(".cyl-suggest");
    var sender = document.querySelector(".rw-sender");
    if (!box && sender) {
      box = document.createElement("div");
      box.className = "cyl-suggest";
      box.id = "cyl-suggest";
      box.setAttribute("role", "listbox");
      box.setAttribute("aria-label", "猜你想问");
      sender.parentNode.insertBefore(box, sender);
    }
    return box;
  }

  function matches(typed) {
    var text = typed.replace(/\s+/g, "").toLowerCase();
    if (text.length < 1) {
      return [];
    }
    var ascii = /^[a-z]+$/.test(text);
    return questions.filter(function (item) {
      return ascii ? text.length >= 2 && item.p.indexOf(text) !== -1
                   : item.q.indexOf(text) !== -1 || item.t.indexOf(text) !== -1;
    }).slice(0, 5);
  }

  function renderSuggestions(input) {
    var box = suggestionBox();
    if (!box) {
      return;
    }
    shown = composing ? [] : matches(input.value);
    active = -1;
    box.innerHTML = "";
    shown.forEach(function (item, i) {
      var option = document.createElement("div");
      option.className = "cyl-suggestion";
      option.id = "cyl-suggestion-" + i;
      option.setAttribute("role", "option");
      option.textContent = item.q;
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () { choose(i); });
      box.appendChild(option);
    });
    box.hidden = shown.length === 0;
    // A textarea keeps its textbox role (no combobox, no aria-expanded): the list is tied to it by
    // aria-controls and the highlighted option by aria-activedescendant.
    input.setAttribute("aria-controls", "cyl-suggest");
    input.setAttribute("aria-autocomplete", "list");
    input.removeAttribute("aria-activedescendant");
  }

  function choose(i) {
    var item = shown[i];
    shown = [];
    var box = suggestionBox();
    if (box) {
      box.hidden = true;
    }
    if (item) {
      sendAsVisitor(item.q);
    }
  }

  // Arrow keys move through the list, Enter sends the highlighted question, Escape closes it.
  function suggestKey(event) {
    if (!shown.length) {
      return false;
    }
    var input = event.target;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (event.key === "ArrowDown") {
        active = (active + 1) % shown.length;
      } else {
        active = active <= 0 ? shown.length - 1 : active - 1;
      }
      document.querySelectorAll(".cyl-suggestion").forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", "cyl-suggestion-" + active);
      return true;
    }
    if (event.key === "Enter" && active >= 0) {
      choose(active);
      return true;
    }
    if (event.key === "Escape") {
      shown = [];
      suggestionBox().hidden = true;
      return true;
    }
    return false;
  }

  var composing = false;
  document.addEventListener("compositionstart", function () { composing = true; }, true);
  document.addEventListener("compositionend", function (event) {
    composing = false;
    if (event.target.classList && event.target.classList.contains("rw-new-message")) {
      renderSuggestions(event.target);
    }
  }, true);
  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("rw-new-message")) {
      renderSuggestions(event.target);
    }
  }, true);

  var LABELS = {
    "rw-launcher": "打开或关闭客服对话",
    "rw-close-button": "关闭对话",
    "rw-send": "发送",
    "rw-new-message": "输入您的问题"
  };
  var PHONE = /1[3-9]\d-?\d{4}-?\d{4}/g;

  function label(root) {
    Object.keys(LABELS).forEach(function (name) {
      root.querySelectorAll("." + name + ":not([aria-label])").forEach(function (element) {
        element.setAttribute("aria-label", LABELS[name]);
      });
    });
    // Answers are announced by screen readers as they arrive.
    root.querySelectorAll(".rw-messages-container:not([aria-live])").forEach(function (log) {
      log.setAttribute("role", "log");
      log.setAttribute("aria-live", "polite");
    });
    // Quick replies are <div>s: make them reachable and operable by keyboard.
    root.querySelectorAll(".rw-reply:not([tabindex])").forEach(function (reply) {
      reply.setAttribute("role", "button");
      reply.setAttribute("tabindex", "0");
      reply.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          reply.click();
        }
      });
    });
  }

  // Phone numbers in answers become tap-to-call links.
  function linkPhones(root) {
    root.querySelectorAll(".rw-from-response .rw-message-text:not([data-phones])").forEach(function (message) {
      message.setAttribute("data-phones", "");
      var walker = document.createTreeWalker(message, NodeFilter.SHOW_TEXT);
      var nodes = [];
      while (walker.nextNode()) {
        if (!walker.currentNode.parentElement.closest("a") && PHONE.test(walker.currentNode.nodeValue)) {
          nodes.push(walker.currentNode);
        }
        PHONE.lastIndex = 0;
      }
      nodes.forEach(function (node) {
        var parts = node.nodeValue.split(/(1[3-9]\d-?\d{4}-?\d{4})/);
        var fragment = document.createDocumentFragment();
        parts.forEach(function (part, i) {
          if (i % 2) {
            var link = document.createElement("a");
            link.href = "tel:" + part.replace(/-/g, "");
            link.textContent = part;
            fragment.appendChild(link);
          } else if (part) {
            fragment.appendChild(document.createTextNode(part));
          }
        });
        node.parentNode.replaceChild(fragment, node);
      });
    });
  }

  // Sends text as if the visitor typed it (the standalone build exposes no send function):
  // the form is submitted the way rasa-webchat's own Enter handler does.
  function sendAsVisitor(text) {
    var input = document.querySelector(".rw-new-message");
    var form = document.querySelector(".rw-sender");
    if (!input || !form) {
      return;
    }
    var setValue = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), "value").set;
    setValue.call(input, text);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
    var box = document.querySelector(".cyl-suggest");
    if (box) {
      box.hidden = true;
    }
  }

  // A plain <button> with its text, an accessible name when the text alone is not enough, and
  // what a click does.
  function makeButton(text, className, label, onClick) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = text;
    if (className) {
      button.className = className;
    }
    if (label) {
      button.setAttribute("aria-label", label);
    }
    button.addEventListener("click", onClick);
    return button;
  }

  // A WeChat ID in an answer gets a one-tap copy button (people add it in another app).
  var WECHAT = /微信[：:]\s*([A-Za-z][-_A-Za-z0-9]{5,19}|\d{5,12})/;

  function copyButtons(root) {
    root.querySelectorAll(".rw-from-response .rw-message-text li:not([data-copy]), " +
                          ".rw-from-response .rw-message-text p:not([data-copy])").forEach(function (line) {
      line.setAttribute("data-copy", "");
      var found = WECHAT.exec(line.textContent);
      if (!found || line.querySelector(".cyl-copy")) {
        return;
      }
      var button = makeButton("复制", "cyl-copy", "复制微信号 " + found[1], function () {
        var done = function () { button.textContent = "已复制"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(found[1]).then(done, function () {});
        } else {
          var scratch = document.createElement("textarea");
          scratch.value = found[1];
          document.body.appendChild(scratch);
          scratch.select();
          document.execCommand("copy");
          document.body.removeChild(scratch);
          done();
        }
      });
      line.appendChild(button);
    });
  }

  // A 人工客服 entry in the header, there at any moment: it asks the assistant for the contacts.
  function addHumanButton(root) {
    var header = root.querySelector(".rw-header:not([data-human])");
    if (!header) {
      return;
    }
    header.setAttribute("data-human", "");
    header.appendChild(makeButton("人工客服", "cyl-human", "联系人工客服", function () {
      sendAsVisitor("人工客服");
    }));
  }

  // rasa-webchat scrolls to the bottom on every message, so the start of a long answer (and the
  // question it answers) scrolls out of sight: bring them back, the question too when it fits.
  function showAnswerStart() {
    var log = document.querySelector(".rw-messages-container");
    var groups = log ? log.querySelectorAll(".rw-group-message") : [];
    var answer = groups[groups.length - 1];
    if (!answer || !answer.classList.contains("rw-from-response")) {
      return;
    }
    var question = answer.previousElementSibling;
    var top = function (element) {
      return element.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop;
    };
    var answerTop = top(answer);
    if (answerTop >= log.scrollTop) {
      return;  // its start is in view
    }
    var questionTop = question && question.classList.contains("rw-from-client") ? top(question) : answerTop;
    var bottom = answerTop + answer.offsetHeight;
    log.scrollTop = (bottom - questionTop <= log.clientHeight ? questionTop : answerTop) - 8;
  }

  // --- Ratings: 有用/没用 under each answer, 满意/一般/不满意 when the visitor closes the chat.
  // Sent to the web app (POST ratings), kept with the conversation, counted in the staff report.
  function sessionId() {
    try {
      return JSON.parse(window.localStorage.getItem("chat_session") || "{}").session_id || null;
    } catch (error) {
      return null;
    }
  }

  function keepRatingToken(given) {
    try {
      window.localStorage.setItem("cyl_rating_token", JSON.stringify(given || {}));
    } catch (error) {
      // Private mode without storage: ratings are not sent.
    }
  }

  function ratingToken(session) {
    try {
      var given = JSON.parse(window.localStorage.getItem("cyl_rating_token") || "{}");
      return given.session_id === session ? given.token : null;
    } catch (error) {
      return null;
    }
  }

  // 204 stored, 409 rated before (both done); 404 while the answer is not saved yet: once more.
  function sendRating(kind, target, value, retried) {
    var session = sessionId();
    var token = ratingToken(session);
    if (!session || !token || !window.fetch) {
      return Promise.resolve(false);
    }
    return fetch(new URL("ratings", script.src).href, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session_id: session, token: token, kind: kind, target: String(target), value: value })
    }).then(function (r) {
      if (r.status === 404 && !retried) {
        return new Promise(function (done) { setTimeout(done, 1500); })
          .then(function () { return sendRating(kind, target, value, true); });
      }
      return r.ok || r.status === 409;
    }, function () { return false; });
  }

  function rateButtons(root) {
    var answers = root.querySelectorAll(".rw-messages-container .rw-group-message.rw-from-response");
    answers.forEach(function (answer, index) {
      if (index === 0 || answer.querySelector(".cyl-rate")) {
        return;  // not the greeting
      }
      var bar = document.createElement("div");
      bar.className = "cyl-rate";
      [["up", "有用", "这个回答有用"], ["down", "没用", "这个回答没用"]].forEach(function (choice) {
        bar.appendChild(makeButton(choice[1], null, choice[2], function () {
          sendRating("answer", index, choice[0]).then(function (ok) {
            if (ok) {
              bar.textContent = "谢谢您的反馈";
              bar.setAttribute("role", "status");
            }
          });
        }));
      });
      answer.appendChild(bar);
    });
  }

  function visitorHasSpoken() {
    try {
      var stored = JSON.parse(window.localStorage.getItem("chat_session") || "{}");
      return (stored.conversation || []).some(function (message) { return message.sender === "client"; });
    } catch (error) {
      return false;
    }
  }

  function askForChatRating() {
    var session = sessionId();
    var asked = "cyl_rated_" + session;
    if (!session || window.localStorage.getItem(asked) || document.querySelector(".cyl-chat-rating") ||
        !visitorHasSpoken()) {
      return;  // already rated, or nothing said yet
    }
    var card = document.createElement("div");
    card.className = "cyl-chat-rating";
    card.setAttribute("role", "dialog");
    card.setAttribute("aria-label", "为这次对话评价");
    var question = document.createElement("p");
    question.textContent = "这次对话对您有帮助吗？";
    card.appendChild(question);
    [["good", "满意"], ["ok", "一般"], ["bad", "不满意"]].forEach(function (choice) {
      card.appendChild(makeButton(choice[1], null, null, function () {
        window.localStorage.setItem(asked, choice[0]);
        sendRating("chat", "", choice[0]).then(function () {
          card.textContent = "谢谢您的评价！";
          card.setAttribute("role", "status");
          setTimeout(function () { card.remove(); }, 2500);
        });
      }));
    });
    card.appendChild(makeButton("×", "cyl-chat-rating-close", "不评价，关闭", function () {
      window.localStorage.setItem(asked, "skipped");
      card.remove();
    }));
    document.body.appendChild(card);
  }

  // Outside office hours (OFFICE_HOURS on the server) a banner says when staff are back.
  var afterHours = null;
  if (window.fetch) {
    fetch(new URL("office-hours.json", script.src).href).then(function (r) { return r.json(); })
      .then(function (hours) { afterHours = hours.open ? null : hours.text; showBanner(document); })
      .catch(function () {});
  }

  function showBanner(root) {
    var header = root.querySelector(".rw-conversation-container .rw-header");
    if (!afterHours || !header || root.querySelector(".cyl-after-hours")) {
      return;
    }
    var banner = document.createElement("div");
    banner.className = "cyl-after-hours";
    banner.setAttribute("role", "status");
    banner.textContent = afterHours;
    header.insertAdjacentElement("afterend", banner);
  }

  var scrollPending = false;
  new MutationObserver(function () {
    label(document);
    linkPhones(document);
    copyButtons(document);
    addHumanButton(document);
    showBanner(document);
    rateButtons(document);
    if (!scrollPending) {
      scrollPending = true;
      setTimeout(function () { scrollPending = false; showAnswerStart(); }, 50);
    }
  }).observe(document.body, { childList: true, subtree: true });
})();
