// 联想 while typing: the page's questions (widget.json, from the knowledge base), found by
// Simplified, Traditional or pinyin initials (淘宝, 淘寶, tb). Tap or click one, or ArrowDown /
// ArrowUp and Enter; Escape, sending or emptying the box closes the list. Nothing is suggested
// while an input method is composing.

export class Suggestions {
  constructor(input, box, choose) {
    this.input = input;
    this.box = box;
    this.choose = choose;
    this.questions = [];
    this.shown = [];
    this.active = -1;
    this.composing = false;
    input.setAttribute("aria-controls", box.id);
    input.setAttribute("aria-autocomplete", "list");
    input.addEventListener("compositionstart", () => { this.composing = true; this.close(); });
    input.addEventListener("compositionend", () => { this.composing = false; this.update(); });
    input.addEventListener("input", () => this.update());
  }

  matches(typed) {
    const text = typed.replace(/\s+/g, "").toLowerCase();
    if (!text) return [];
    const ascii = /^[a-z]+$/.test(text);
    return this.questions.filter((item) =>
      item && typeof item.q === "string" &&
      (ascii ? text.length >= 2 && String(item.p).includes(text) : item.q.includes(text) || String(item.t).includes(text))
    ).slice(0, 5);
  }

  update() {
    this.shown = this.composing ? [] : this.matches(this.input.value);
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.box.textContent = "";
    this.shown.forEach((item, i) => {
      const option = document.createElement("div");
      option.className = "cyl-suggestion";
      option.id = "cyl-suggestion-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = item.q;
      option.addEventListener("mousedown", (event) => event.preventDefault()); // keeps the focus
      option.addEventListener("click", () => this.pick(i));
      this.box.appendChild(option);
    });
    this.box.hidden = this.shown.length === 0;
  }

  pick(i) {
    const item = this.shown[i];
    this.close();
    if (item) {
      this.input.value = "";
      this.choose(item.q);
    }
  }

  // True when the list was open.
  close() {
    const wasOpen = !this.box.hidden;
    this.shown = [];
    this.active = -1;
    this.box.hidden = true;
    this.box.textContent = "";
    this.input.removeAttribute("aria-activedescendant");
    return wasOpen;
  }

  // Arrow keys, Enter and Escape while the list is open; true when the key was used here.
  key(event) {
    if (!this.shown.length) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const n = this.shown.length;
      this.active = event.key === "ArrowDown" ? (this.active + 1) % n : this.active <= 0 ? n - 1 : this.active - 1;
      this.box.querySelectorAll(".cyl-suggestion").forEach((option, i) => {
        option.setAttribute("aria-selected", String(i === this.active));
      });
      this.input.setAttribute("aria-activedescendant", "cyl-suggestion-" + this.active);
      return true;
    }
    if (event.key === "Enter" && this.active >= 0) {
      this.pick(this.active);
      return true;
    }
    if (event.key === "Escape") {
      this.close();
      event.stopPropagation(); // Escape closes the list, not the widget
      return true;
    }
    return false;
  }
}
