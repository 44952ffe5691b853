/*
 * Starts the 创意岭 chat widget (rasa-webchat, loaded just before this file).
 * Options are data- attributes of this <script> tag, so the embed snippet stays two lines:
 *   data-socket-url   Rasa server URL (required), e.g. https://bot.example.com
 *   data-title        header title              (default 创意岭客服助手)
 *   data-subtitle     header subtitle
 *   data-placeholder  input hint                (default 请输入您的问题)
 *   data-main-color   header, launcher, buttons (CSS colour)
 *   data-user-color   visitor's bubbles          (defaults to the main colour)
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
    mainColor: mainColor,
    userBackgroundColor: options.userColor || mainColor,
    userTextColor: "#ffffff"
  }, null);
})();
