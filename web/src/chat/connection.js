// The socket to the assistant (Rasa's socket.io channel, channels/webchat.py), opened only when
// the widget opens. The server issues the session; the widget shows it back with its token when
// it reconnects. socket.io retries with back-off by itself; after OFFLINE_AFTER ms without a
// connection the widget is told it is offline (and shows the phone and WeChat).
import { io } from "socket.io-client";

const OFFLINE_AFTER = 4000;

export function connect(url, credentials, events) {
  const socket = io(url, {
    path: "/socket.io/",
    // WebSocket first: one round trip less on a slow phone network; polling if it is blocked.
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
    randomizationFactor: 0.5,
    timeout: 10000,
  });
  let ready = false;
  let offlineTimer = null;

  function waitThenOffline() {
    clearTimeout(offlineTimer);
    offlineTimer = setTimeout(() => events.status("offline"), OFFLINE_AFTER);
  }

  socket.on("connect", () => {
    const { session, token } = credentials();
    socket.emit("session_request", session ? { session_id: session, token } : {});
  });
  socket.on("session_confirm", (confirm) => {
    if (!confirm || typeof confirm.session_id !== "string" || typeof confirm.token !== "string") return;
    clearTimeout(offlineTimer);
    ready = true;
    events.session(confirm.session_id, confirm.token, confirm.resumed === true);
    events.status("online");
  });
  socket.on("bot_uttered", (message) => {
    if (message && typeof message.text === "string") events.message(message);
  });
  socket.on("disconnect", () => {
    ready = false;
    events.status("connecting");
    waitThenOffline();
  });
  waitThenOffline();

  return {
    get ready() {
      return ready && socket.connected;
    },
    // True when the message left; false when it must wait for the connection.
    send(text, sessionId, metadata) {
      if (!ready || !socket.connected) return false;
      socket.emit("user_uttered", { message: text, session_id: sessionId, metadata });
      return true;
    },
  };
}
