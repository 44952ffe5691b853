// The chat panel: loaded by the embed script (web/src/loader.js) when the visitor opens it.
// Everything a visitor reads comes from kb/widget.yml (config.texts) or from the assistant.
import chatCss from "../chat.css";
import avatarUrl from "../../avatar.svg";
import { connect } from "./connection.js";
import { render, withoutChipIntro } from "./markdown.js";
import * as store from "./store.js";
import { Suggestions } from "./suggest.js";

const BACK_ONLINE_MS = 4000;
const TYPING_GIVE_UP_MS = 20000;

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([name, value]) => {
    if (value === undefined || value === null || value === false) return;
    if (name === "className") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  });
  (children || []).forEach((child) => child && node.appendChild(child));
  return node;
}

// The page the widget is on, for the agent who takes over: no query or fragment (they may hold data).
const here = () => (location.origin + location.pathname).slice(0, 300);
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
const clock = (at) => {
  const d = new Date(at);
  return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
};
const newId = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
// A short, natural pause before each answer: long enough to see 正在输入…, never a wait.
const pause = (text) => Math.min(300 + text.length * 4, 900);

function start(boot) {
  const { config, options, base, root, launcher } = boot;
  const t = config.texts;
  const contacts = config.contacts;
  const say = (key) => fill(t[key], contacts);
  boot.adopt(root, chatCss);
  let state = store.load();
  let status = "connecting";
  let connection = null;
  let backOnlineTimer = null;
  let typingTimer = null;
  let withPerson = false;
  const botQueue = [];
  // Pending messages this tab sends (another tab of the visitor sends its own).
  const ownPending = new Set(state.messages.filter((m) => m.status === "pending").map((m) => m.id));
  let botBusy = false;

  // --- the panel -------------------------------------------------------------------------------
  const avatar = options.avatar || avatarUrl;
  const input = el("textarea", {
    className: "cyl-input", rows: "1", placeholder: options.placeholder || t.placeholder,
    "aria-label": t.input_label, enterkeyhint: "send",
  });
  const log = el("div", { className: "cyl-log", role: "log", "aria-live": "polite", "aria-label": t.log_label, tabindex: "0" });
  const typing = el("div", { className: "cyl-typing", hidden: true }, [el("span", { className: "cyl-dots", "aria-hidden": "true" }), el("span", { text: t.typing })]);
  const statusLine = el("div", { className: "cyl-status", role: "status" });
  const afterHours = el("div", { className: "cyl-after-hours", role: "status", hidden: true });
  const copyButton = (id) =>
    el("button", {
      type: "button", className: "cyl-copy", text: t.copy, "aria-label": fill(t.copy_label, { wechat: id }),
      onclick: (event) => copy(id, event.currentTarget),
    });
  const offline = el("div", { className: "cyl-offline", role: "status", hidden: true }, [
    el("p", { text: say("offline") }),
    el("p", { className: "cyl-contacts" }, [
      el("a", { className: "cyl-call", href: "tel:" + contacts.phone.replace(/-/g, ""), text: say("call") }),
      el("span", { className: "cyl-wechat", text: say("wechat") }),
      copyButton(contacts.wechat),
    ]),
  ]);
  const suggestBox = el("div", { className: "cyl-suggest", id: "cyl-suggest", role: "listbox", "aria-label": t.suggestions_label, hidden: true });
  const form = el("form", { className: "cyl-sender", onsubmit: (event) => { event.preventDefault(); sendTyped(); } }, [
    input,
    el("button", { type: "submit", className: "cyl-send", text: t.send }),
  ]);
  const human = el("button", { type: "button", className: "cyl-human", text: t.human, "aria-label": t.human_label, onclick: askForPerson });
  const panel = el("section", { className: "cyl-panel", id: "cyl-panel", role: "dialog", "aria-label": t.panel_label, hidden: true }, [
    el("header", { className: "cyl-header" }, [
      el("img", { className: "cyl-avatar", src: avatar, alt: t.avatar_alt, width: "40", height: "40" }),
      el("div", { className: "cyl-titles" }, [
        el("h2", { className: "cyl-title", text: options.title || t.title }),
        el("p", { className: "cyl-subtitle", text: options.subtitle || t.subtitle }),
      ]),
      human,
      el("button", { type: "button", className: "cyl-close", "aria-label": t.close_label, text: "×", onclick: () => setOpen(false) }),
    ]),
    afterHours,
    statusLine,
    offline,
    log,
    suggestBox,
    form,
  ]);
  root.appendChild(panel);
  launcher.setAttribute("aria-controls", "cyl-panel");
  launcher.removeAttribute("aria-busy");
  const suggestions = new Suggestions(input, suggestBox, (text) => send(text));

  // --- messages --------------------------------------------------------------------------------
  const lastBot = () => [...state.messages].reverse().find((m) => m.from === "bot");

  function messageNode(m) {
    const latest = m === state.messages[state.messages.length - 1];
    const text = m.replies && !latest ? withoutChipIntro(m.text) : m.text;
    const bubble = el("div", { className: "cyl-bubble" }, [
      // A staff member's message (channels/takeover.py) says who wrote it.
      m.agent ? el("span", { className: "cyl-agent", text: fill(t.agent_name, { name: m.agent }) }) : null,
      el("div", { className: "cyl-text" }, [m.from === "bot" ? render(text, copyButton) : document.createTextNode(m.text)]),
      el("span", { className: "cyl-time", text: clock(m.at) }),
    ]);
    if (m.status === "pending") {
      bubble.appendChild(el("span", { className: "cyl-pending", text: status === "offline" ? t.not_sent : t.pending }));
    }
    const node = el("div", { className: "cyl-msg " + (m.from === "bot" ? "cyl-bot" : "cyl-me"), "data-id": m.id }, [
      m.from === "bot" ? el("img", { className: "cyl-face", src: avatar, alt: "", width: "28", height: "28" }) : null,
      bubble,
    ]);
    if (m.from === "bot" && m.answer) node.appendChild(rateBar(m));
    if (m.from === "bot" && m.replies && m.replies.length && latest) {
      node.appendChild(el("div", { className: "cyl-replies" }, m.replies.map((reply) =>
        el("button", {
          type: "button", className: "cyl-reply", text: reply.title, disabled: status !== "online",
          onclick: () => send(reply.title, reply.payload),
        }))));
    }
    return node;
  }

  function renderLog() {
    // A focused button in the log is rebuilt: the focus stays in the log, not lost to the page.
    const hadFocus = log.contains(root.activeElement);
    log.textContent = "";
    state.messages.forEach((m) => {
      if (!m.hidden) log.appendChild(messageNode(m));
    });
    log.appendChild(typing);
    if (hadFocus) log.focus();
  }

  // The latest message in view: from its start when it is taller than the log (with the
  // question it answers when both fit), else the bottom.
  function showLatest() {
    const nodes = log.querySelectorAll(".cyl-msg");
    const last = nodes[nodes.length - 1];
    if (!last) return;
    const top = (node) => node.offsetTop - log.offsetTop;
    const bottom = log.scrollHeight;
    if (bottom - top(last) <= log.clientHeight || !last.classList.contains("cyl-bot")) {
      log.scrollTop = bottom;
      return;
    }
    const question = last.previousElementSibling;
    const from = question && question.classList.contains("cyl-me") && top(last) + last.offsetHeight - top(question) <= log.clientHeight
      ? top(question) : top(last);
    log.scrollTop = from - 8;
  }

  function refresh() {
    renderLog();
    showLatest();
  }

  function add(message) {
    state.messages.push(message);
    store.save(state);
    refresh();
  }

  function showTyping(on) {
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(() => showTyping(false), TYPING_GIVE_UP_MS);
    if (on) log.scrollTop = log.scrollHeight;
  }

  // Answers appear one by one, each after a short pause with 正在输入….
  function nextBot() {
    if (botBusy || !botQueue.length) return;
    botBusy = true;
    showTyping(true);
    const message = botQueue.shift();
    setTimeout(() => {
      const before = lastBot();
      const id = typeof message.id === "string" && /^[0-9a-f]{1,40}$/.test(message.id) ? message.id : newId();
      if (state.messages.some((m) => m.id === id)) {
        botBusy = false; // shown by another tab of the visitor already
        if (botQueue.length) nextBot();
        else showTyping(false);
        return;
      }
      const replies = Array.isArray(message.quick_replies)
        ? message.quick_replies.filter((r) => r && typeof r.title === "string" && typeof r.payload === "string")
            .slice(0, 20).map((r) => ({ title: r.title.slice(0, 200), payload: r.payload.slice(0, 500) }))
        : undefined;
      add({
        id, from: "bot", text: message.text.slice(0, 5000), at: Date.now(),
        replies: replies && replies.length ? replies : undefined,
        answer: message.answer === true ? true : undefined,
        agent: typeof message.agent === "string" && message.agent ? message.agent.slice(0, 64) : undefined,
        n: before && typeof before.n === "number" ? before.n + 1 : 0,
      });
      botBusy = false;
      if (botQueue.length) nextBot();
      else showTyping(false);
    }, pause(message.text));
  }

  // --- sending ---------------------------------------------------------------------------------
  function flush() {
    if (!connection || !connection.ready) return;
    let sent = false;
    state.messages.forEach((m) => {
      if (m.status === "pending" && ownPending.has(m.id) && connection.send(m.send || m.text, state.session, { ...(m.button ? { button: m.button } : {}), page: here() })) {
        m.status = "sent";
        sent = true;
      }
    });
    if (sent) {
      store.save(state);
      refresh();
      if (!withPerson) showTyping(true);
    }
  }

  // Shows `text` as the visitor's message and sends `payload` (a button's) or the text itself.
  function send(text, payload) {
    text = text.trim();
    if (!text) return;
    suggestions.close();
    const message = { id: newId(), from: "me", text: text.slice(0, 5000), at: Date.now(), status: "pending" };
    if (payload && payload !== text) {
      message.send = payload.slice(0, 500);
      message.button = text.slice(0, 64);
    }
    ownPending.add(message.id);
    add(message);
    flush();
  }

  function sendTyped() {
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    send(text);
  }

  // 人工客服: asks the assistant for the contacts; while it cannot be reached, shows them here.
  function askForPerson() {
    if (status === "online") send(t.human);
    else {
      setStatus("offline");
      offline.querySelector(".cyl-call").focus();
    }
  }

  input.addEventListener("keydown", (event) => {
    // An Enter that chooses a pinyin/zhuyin candidate belongs to the input method.
    if (event.isComposing || event.keyCode === 229) return;
    if (suggestions.key(event)) {
      event.preventDefault();
      return;
    }
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      sendTyped();
    }
  });

  // --- ratings ---------------------------------------------------------------------------------
  // Sent to the web app with the session and its token (the ratings endpoint may check that
  // only the conversation's own widget rates it).
  function postRating(kind, target, value) {
    if (!state.session) return Promise.resolve(false);
    return fetch(base + "ratings", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session_id: state.session, token: state.token, kind, target: String(target), value }),
    }).then((r) => r.ok, () => false);
  }

  function rateBar(m) {
    if (m.rated) return el("div", { className: "cyl-rate", role: "status", text: t.rate_thanks });
    const bar = el("div", { className: "cyl-rate" });
    [["up", t.rate_up, t.rate_up_label], ["down", t.rate_down, t.rate_down_label]].forEach(([value, text, label]) => {
      bar.appendChild(el("button", {
        type: "button", text, "aria-label": label,
        onclick: () => postRating("answer", m.n || 0, value).then((ok) => {
          if (ok) {
            m.rated = value;
            store.save(state);
          }
          bar.textContent = ok ? t.rate_thanks : t.rate_failed;
          bar.setAttribute("role", "status");
        }),
      }));
    });
    return bar;
  }

  function askForChatRating() {
    if (state.chatRated || !state.session || !state.messages.some((m) => m.from === "me" && !m.hidden)) return;
    if (root.querySelector(".cyl-chat-rating")) return;
    const done = () => {
      state.chatRated = true;
      store.save(state);
    };
    const card = el("div", { className: "cyl-chat-rating", role: "dialog", "aria-label": t.chat_rating_label }, [
      el("p", { text: t.chat_rating_question }),
    ]);
    ["good", "ok", "bad"].forEach((value) => {
      card.appendChild(el("button", {
        type: "button", text: t["chat_rating_" + value],
        onclick: () => {
          done();
          postRating("chat", "", value).then(() => {
            card.textContent = t.chat_rating_thanks;
            card.setAttribute("role", "status");
            setTimeout(() => card.remove(), 2500);
          });
        },
      }));
    });
    card.appendChild(el("button", {
      type: "button", className: "cyl-chat-rating-close", text: "×", "aria-label": t.chat_rating_skip_label,
      onclick: () => { done(); card.remove(); launcher.focus(); },
    }));
    root.appendChild(card);
  }

  // --- copying the WeChat ID -------------------------------------------------------------------
  function copy(text, button) {
    const done = () => {
      button.textContent = t.copied;
      button.removeAttribute("aria-label"); // its name is what it shows now
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => {});
      return;
    }
    const scratch = el("textarea", { readonly: true, "aria-hidden": "true" });
    scratch.value = text;
    scratch.style.position = "fixed";
    scratch.style.opacity = "0";
    root.appendChild(scratch);
    scratch.select();
    try {
      document.execCommand("copy");
      done();
    } catch (error) {
      // nothing to copy with: the ID stays readable beside the button
    }
    scratch.remove();
  }

  // --- connection --------------------------------------------------------------------------------
  function setStatus(next) {
    const wasOffline = status === "offline";
    status = next;
    offline.hidden = next !== "offline";
    panel.classList.toggle("cyl-is-offline", next === "offline");
    clearTimeout(backOnlineTimer);
    if (next === "online") {
      statusLine.textContent = wasOffline ? t.back_online : "";
      if (wasOffline) backOnlineTimer = setTimeout(() => { statusLine.textContent = ""; }, BACK_ONLINE_MS);
    } else if (next === "connecting" && !wasOffline) {
      statusLine.textContent = state.messages.length ? "" : t.connecting;
    } else {
      statusLine.textContent = "";
    }
    renderLog(); // buttons enabled or disabled, pending messages marked
  }

  function onSession(session, token, resumed) {
    const fresh = !resumed || session !== state.session;
    if (fresh) {
      // The old conversation cannot continue: keep only what the visitor has not sent yet.
      state.messages = state.messages.filter((m) => m.status === "pending");
      state.chatRated = false;
    }
    state.session = session;
    state.token = token;
    store.save(state);
    if (fresh) {
      // The greeting and its 猜你想问 chips (Rasa needs a message to answer).
      const greet = { id: newId(), from: "me", text: "/greet", at: Date.now(), status: "pending", hidden: true };
      ownPending.add(greet.id);
      state.messages.unshift(greet);
    }
    refresh();
  }

  function open() {
    if (connection) return;
    connection = connect(options.socketUrl, () => ({ session: state.session, token: state.token }), {
      status: (next) => {
        setStatus(next);
        if (next === "online") flush();
      },
      session: onSession,
      message: (message) => {
        if (message.custom) return; // the hand-off payload: the text before it has the contacts
        // A person took over (channels/takeover.py): nobody "types" after the visitor's messages.
        if (message.takeover === "joined" || typeof message.agent === "string") withPerson = true;
        if (message.takeover === "ended" || message.takeover === "missed") withPerson = false;
        botQueue.push(message);
        nextBot();
      },
    });
    fetch(base + "widget.json").then((r) => r.json()).then((data) => {
      suggestions.questions = Array.isArray(data.suggestions) ? data.suggestions : [];
      if (data.hours && data.hours.open === false && typeof data.hours.text === "string") {
        afterHours.textContent = data.hours.text;
        afterHours.hidden = false;
      }
    }).catch(() => {});
  }

  // --- opening and closing -----------------------------------------------------------------------
  function setOpen(on) {
    panel.hidden = !on;
    root.host.classList.toggle("cyl-open", on);
    launcher.setAttribute("aria-expanded", String(on));
    state.open = on;
    store.save(state);
    if (on) {
      open();
      refresh();
      const rating = root.querySelector(".cyl-chat-rating");
      if (rating) rating.remove();
      if (!matchMedia("(pointer: coarse)").matches) input.focus();
    } else {
      suggestions.close();
      launcher.focus();
      askForChatRating();
    }
  }

  launcher.addEventListener("click", () => setOpen(panel.hidden));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.isComposing && !suggestions.close()) setOpen(false);
  });
  // Another tab of the same visitor wrote the conversation: show it here too.
  window.addEventListener("storage", (event) => {
    if (event.key !== store.KEY) return;
    const open = state.open;
    state = store.load();
    state.open = open;
    refresh();
  });

  setStatus("connecting");
  boot.start = () => setOpen(true);
  if (boot.openNow) setOpen(true);
}

const boot = window.__cylWidget;
if (boot && !boot.start) start(boot);
