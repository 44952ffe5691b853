// The embed script: one <script> line on any site. It draws the launcher and nothing else;
// the chat (chat-<hash>.js, with socket.io) loads, and connects, only when the visitor opens it.
// Options are data- attributes of its tag: data-socket-url (required), data-title, data-subtitle,
// data-placeholder, data-main-color, data-user-color, data-avatar.
import launcherCss from "./launcher.css";

(function () {
  const script = document.currentScript;
  if (!script || window.__cylWidget) return;
  // Filled in by the web app (web_app/site.py): the widget's texts, the contacts and the chat
  // bundle's name, so the phone and WeChat are there even when the assistant is unreachable.
  const config = "__CYL_CONFIG__";
  const options = script.dataset;
  const base = new URL(".", script.src).href;
  if (!options.socketUrl) {
    // The launcher still shows: the chat then offers the phone and WeChat instead of answers.
    console.error("创意岭客服: the embed line has no data-socket-url (docs/widget.md)");
  }

  function adopt(root, css) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    } catch (error) {
      const style = document.createElement("style");
      style.textContent = css;
      root.appendChild(style);
    }
  }

  function start() {
    const host = document.createElement("div");
    host.id = "cyl-widget";
    host.style.setProperty("--cyl-main", options.mainColor || "#b8322b");
    host.style.setProperty("--cyl-user", options.userColor || options.mainColor || "#b8322b");
    const root = host.attachShadow({ mode: "open" });
    adopt(root, launcherCss);
    const launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "cyl-launcher";
    launcher.setAttribute("aria-label", config.texts.launcher_label);
    launcher.setAttribute("aria-expanded", "false");
    launcher.innerHTML =
      '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg>';
    root.appendChild(launcher);
    document.body.appendChild(host);

    const boot = (window.__cylWidget = { config, options, base, root, launcher, adopt, openNow: false });
    let loading = false;
    function load(open) {
      boot.openNow = boot.openNow || open;
      if (boot.start) return boot.start();
      if (loading) return;
      loading = true;
      launcher.setAttribute("aria-busy", "true");
      const chat = document.createElement("script");
      chat.src = base + config.chat;
      chat.async = true;
      chat.onerror = () => {
        loading = false; // the next tap tries again
        launcher.removeAttribute("aria-busy");
        chat.remove();
        if (boot.openNow) showContacts();
      };
      document.head.appendChild(chat);
    }
    // Once the chat has loaded, it handles the launcher itself.
    launcher.addEventListener("click", () => boot.start || load(true));

    // The chat could not load (the site unreachable, a flaky network): the phone and WeChat
    // the embed script carries, so the visitor is never left with nothing.
    function showContacts() {
      if (root.querySelector(".cyl-fallback")) return;
      const t = config.texts;
      const fill = (text) => text.replace("{phone}", config.contacts.phone).replace("{wechat}", config.contacts.wechat);
      const card = document.createElement("div");
      card.className = "cyl-fallback";
      card.setAttribute("role", "status");
      const text = document.createElement("p");
      text.textContent = fill(t.offline);
      const call = document.createElement("a");
      call.href = "tel:" + config.contacts.phone.replace(/-/g, "");
      call.textContent = fill(t.call);
      const wechat = document.createElement("p");
      wechat.textContent = fill(t.wechat);
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "×";
      close.setAttribute("aria-label", t.close_label);
      close.addEventListener("click", () => card.remove());
      card.append(text, call, wechat, close);
      root.appendChild(card);
    }
    // A visitor who left the chat open finds it open on the next page.
    try {
      const saved = JSON.parse(window.localStorage.getItem("cyl_widget") || "null");
      if (saved && saved.v === 1 && saved.open === true) load(true);
    } catch (error) {
      // unreadable: the chat validates and discards it when it opens
    }
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
