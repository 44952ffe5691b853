// The conversation kept in localStorage: versioned and validated on every read, so nothing a
// previous version (or a broken write, or another script) left there can break the widget.
// Whatever does not validate is discarded and the widget starts afresh.

export const KEY = "cyl_widget";
const VERSION = 1;
const MAX_MESSAGES = 100;
const MAX_TEXT = 5000;
// rasa-webchat's state: its broken form crashed every load (issue 25); never read again.
const OLD_KEYS = ["chat_session"];

const HEX32 = /^[0-9a-f]{32}$/;
const isText = (value, max = MAX_TEXT) => typeof value === "string" && value.length <= max;

function validReply(reply) {
  return reply && isText(reply.title, 200) && isText(reply.payload, 500);
}

function validMessage(m) {
  return (
    m && typeof m === "object" && isText(m.id, 40) && (m.from === "bot" || m.from === "me") &&
    isText(m.text) && typeof m.at === "number" && isFinite(m.at) &&
    (m.replies === undefined || (Array.isArray(m.replies) && m.replies.length <= 20 && m.replies.every(validReply))) &&
    (m.answer === undefined || typeof m.answer === "boolean") &&
    (m.rated === undefined || m.rated === "up" || m.rated === "down") &&
    (m.status === undefined || m.status === "pending" || m.status === "sent") &&
    (m.button === undefined || isText(m.button, 64)) &&
    (m.send === undefined || isText(m.send, 500)) &&
    (m.hidden === undefined || typeof m.hidden === "boolean") &&
    (m.agent === undefined || isText(m.agent, 64)) &&
    (m.n === undefined || (Number.isInteger(m.n) && m.n >= 0))
  );
}

export function empty() {
  return { v: VERSION, session: null, token: null, messages: [], open: false, chatRated: false };
}

export function validate(state) {
  if (!state || typeof state !== "object" || state.v !== VERSION) return null;
  const sessionOk = state.session === null || (HEX32.test(state.session) && HEX32.test(state.token));
  if (!sessionOk || !Array.isArray(state.messages) || !state.messages.every(validMessage)) return null;
  if (typeof state.open !== "boolean" || typeof state.chatRated !== "boolean") return null;
  return {
    v: VERSION, session: state.session, token: state.session ? state.token : null,
    messages: state.messages.slice(-MAX_MESSAGES), open: state.open, chatRated: state.chatRated,
  };
}

export function load() {
  try {
    OLD_KEYS.forEach((key) => window.localStorage.removeItem(key));
    const raw = window.localStorage.getItem(KEY);
    const state = raw ? validate(JSON.parse(raw)) : null;
    if (raw && !state) window.localStorage.removeItem(KEY);
    return state || empty();
  } catch (error) {
    return empty(); // storage blocked (private mode, sandbox) or unreadable
  }
}

export function save(state) {
  try {
    state.messages = state.messages.slice(-MAX_MESSAGES);
    window.localStorage.setItem(KEY, JSON.stringify(state));
  } catch (error) {
    // full or blocked: the conversation still works in this page
  }
}
