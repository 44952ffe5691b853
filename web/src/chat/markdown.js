// The assistant's answers (CommonMark from channels/webchat.py: paragraphs, "- " and "1. " lists,
// **bold**, links) built as DOM nodes, never as HTML strings: nothing in a message can run.
// Phone numbers become tap-to-call links; a WeChat ID gets a 复制 button.

const LIST = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/;
const INLINE = /\*\*([^*]+)\*\*|\[([^\]\n]*)\]\(([^)\s]+)\)|<((?:https?|tel|weixin):[^>\s]+)>/g;
const SAFE_URL = /^(?:https?:|tel:|weixin:)/i;
export const PHONE = /1[3-9]\d-?\d{4}-?\d{4}/g;
const WECHAT = /微信[：:]\s*([A-Za-z][-_A-Za-z0-9]{5,19}|\d{5,12})/;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function link(text, href) {
  const a = el("a", null, text);
  a.href = href;
  if (/^https?:/i.test(href)) {
    a.target = "_blank";
    a.rel = "noopener noreferrer";
  }
  return a;
}

// Text with its phone numbers as tel: links.
function phones(parent, text) {
  let last = 0;
  text.replace(PHONE, (number, at) => {
    if (at > last) parent.appendChild(document.createTextNode(text.slice(last, at)));
    parent.appendChild(link(number, "tel:" + number.replace(/-/g, "")));
    last = at + number.length;
    return number;
  });
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}

function inline(parent, text) {
  let last = 0;
  INLINE.lastIndex = 0;
  for (let m = INLINE.exec(text); m; m = INLINE.exec(text)) {
    phones(parent, text.slice(last, m.index));
    if (m[1] !== undefined) {
      const strong = el("strong");
      phones(strong, m[1]);
      parent.appendChild(strong);
    } else if (m[2] !== undefined) {
      if (SAFE_URL.test(m[3])) parent.appendChild(link(m[2], m[3]));
      else phones(parent, m[2]);
    } else {
      parent.appendChild(link(m[4], m[4]));
    }
    last = INLINE.lastIndex;
  }
  phones(parent, text.slice(last));
}

// A block's text; a WeChat ID in it gets a copy button (made by `copyButton`).
function block(tag, text, copyButton) {
  const node = el(tag);
  inline(node, text);
  const wechat = WECHAT.exec(text);
  if (wechat && copyButton) node.appendChild(copyButton(wechat[1]));
  return node;
}

export function render(text, copyButton) {
  const fragment = document.createDocumentFragment();
  text.split(/\n{2,}/).forEach((chunk) => {
    const lines = chunk.split("\n").filter((line) => line.trim());
    if (!lines.length) return;
    const items = lines.map((line) => LIST.exec(line));
    if (items.every(Boolean)) {
      const list = el(items[0][1] ? "ul" : "ol");
      if (!items[0][1] && items[0][2] !== "1") list.start = Number(items[0][2]);
      items.forEach((item) => list.appendChild(block("li", item[3], copyButton)));
      fragment.appendChild(list);
    } else {
      fragment.appendChild(block("p", lines.join(" "), copyButton));
    }
  });
  return fragment;
}

// Without the intro of chips that are no longer shown ("猜你想问：" alone as the last paragraph).
export function withoutChipIntro(text) {
  const blocks = text.trim().split(/\n{2,}/);
  const lastBlock = blocks[blocks.length - 1];
  const intro = blocks.length > 1 && !LIST.test(lastBlock) && /[：:]$/.test(lastBlock) && lastBlock.length <= 12;
  return intro ? blocks.slice(0, -1).join("\n\n") : text;
}
