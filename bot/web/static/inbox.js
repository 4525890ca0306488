// The Feedback page: the feedback inbox (bot/web/inbox_api.py). Filter, open an item, set its
// status, assign it, add an internal note, reply to the worker. A second admin's save gets a
// 409 with the item as it is now: the page shows that item and keeps what this admin typed.
// Everything a worker (or an admin) typed goes on the page as text (el() makes text nodes).

const STATUSES = ["new", "triaged", "done"];
const NEXT = { new: ["triaged", "done"], triaged: ["done"], done: ["triaged"] };  // domain/triage.py
const CATEGORIES = ["content", "policy", "device", "app", "other", "question"];
const PAGE = 50;

let kit;  // what dashboard.js lends its pages: t, el, api, format, table, section, csvButton, state
const inbox = { status: "", category: "", rating: "", items: [], cursor: null, admins: [], openId: null };

function t(key, values) { return kit.t(key, values); }
function el(...args) { return kit.el(...args); }

async function send(method, path, data) {
  const headers = { "Content-Type": "application/json" };
  if (kit.state.token) headers.Authorization = `Bearer ${kit.state.token}`;
  const response = await fetch(`/api/admin/${path}`, { method, headers, body: data ? JSON.stringify(data) : undefined });
  let body = {};
  try { body = await response.json(); } catch { body = {}; }
  return { status: response.status, body };
}

function person(id) {
  if (!id) return t("dashboard.inbox.unassigned");
  const known = inbox.admins.find((a) => a.id === id);
  return known ? known.name : id;
}

function when(value) { return kit.format("created_at", value); }

function labelled(text, control) {
  return el("label", {}, el("span", {}, text), control);
}

function select(name, options, value) {
  const node = el("select", { name });
  node.replaceChildren(...options.map(([v, label]) => el("option", { value: v, selected: v === value }, label)));
  return node;
}

function filters() {
  const all = ["", t("dashboard.filter.all")];
  const status = select("status", [all, ...STATUSES.map((s) => [s, t(`dashboard.inbox.status.${s}`)])], inbox.status);
  const category = select("category", [all, ...CATEGORIES.map((c) => [c, t(`feedback.category.${c}`)])], inbox.category);
  const rating = select("rating", [all, ..."12345".split("").map((r) => [r, `${r}/5`])], inbox.rating);
  for (const control of [status, category, rating]) {
    control.addEventListener("change", () => { inbox[control.name] = control.value; inbox.openId = null; kit.show("feedback"); });
  }
  return el("div", { class: "tools" }, labelled(t("dashboard.inbox.filter.status"), status),
    labelled(t("dashboard.inbox.filter.category"), category), labelled(t("dashboard.inbox.filter.rating"), rating));
}

function query(extra = {}) {
  return { status: inbox.status, category: inbox.category, rating: inbox.rating, limit: PAGE, ...extra };
}

function itemRows(items) {
  const head = ["created_at", "module", "category", "rating", "status", "assignee", "text"];
  const rows = items.map((i) => {
    const open = el("button", { type: "button", class: "link", "data-id": i.id }, t("dashboard.inbox.open"));
    open.addEventListener("click", () => openItem(i.id));
    const module = kit.state.me.modules.find((m) => m.id === i.module_id);
    const cells = [when(i.created_at), module ? module.title : "–", t(`feedback.category.${i.category}`),
      i.rating ? `${i.rating}/5` : "–", t(`dashboard.inbox.status.${i.status}`), i.assignee ? person(i.assignee) : "–", i.text];
    return el("tr", { "data-id": i.id }, ...cells.map((c, n) => el("td", { class: head[n] === "text" ? "text" : null }, c)), el("td", {}, open));
  });
  return el("table", { id: "inbox-items" }, el("caption", { class: "visually-hidden" }, t("dashboard.inbox.items")),
    el("thead", {}, el("tr", {}, ...head.map((c) => el("th", { scope: "col" }, kit.state.headers[c] || c)),
      el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, t("dashboard.inbox.open"))))),
    el("tbody", {}, ...rows));
}

function listSection() {
  const more = el("fluent-button", { appearance: "outline", hidden: !inbox.cursor }, t("dashboard.inbox.more"));
  more.addEventListener("click", async () => {
    const page = await kit.api("feedback", query({ cursor: inbox.cursor }));
    inbox.items.push(...page.items);
    inbox.cursor = page.cursor;
    document.getElementById("inbox-list").replaceWith(listSection());
  });
  const content = inbox.items.length ? itemRows(inbox.items) : el("p", {}, t("dashboard.empty"));
  const panel = kit.section(t("dashboard.inbox.items"), "feedback", content, more);
  panel.id = "inbox-list";
  panel.querySelector(".head fluent-button").replaceWith(kit.csvButton("feedback", query({ limit: "" })));
  return panel;
}

function auditLine(entry) {
  const what = entry.action === "assignee"
    ? (entry.value ? t("dashboard.inbox.audit.assignee", { value: person(entry.value) }) : t("dashboard.inbox.audit.unassigned"))
    : t(`dashboard.inbox.audit.${entry.action}`, { value: entry.action === "status" ? t(`dashboard.inbox.status.${entry.value}`) : entry.value });
  return el("li", {}, t("dashboard.inbox.audit.entry", { when: when(entry.at), who: person(entry.actor), what }));
}

function notice(text, kind) {
  return el("p", { class: `note ${kind || ""}`, role: kind === "error" ? "alert" : "status" }, text);
}

// draft: what the admin typed and chose, kept across a conflict: {status, assignee, note, reply}
function detail(item, draft = {}, message = null) {
  const status = select("status", [item.status, ...NEXT[item.status]].map((s) => [s, t(`dashboard.inbox.status.${s}`)]),
    draft.status && [item.status, ...NEXT[item.status]].includes(draft.status) ? draft.status : item.status);
  const people = [...inbox.admins];
  if (item.assignee && !people.some((a) => a.id === item.assignee)) people.push({ id: item.assignee, name: item.assignee });
  const assignee = select("assignee", [["", t("dashboard.inbox.unassigned")], ...people.map((a) => [a.id, a.name])],
    draft.assignee !== undefined ? draft.assignee : item.assignee || "");
  const note = el("textarea", { name: "note", rows: "3", maxlength: "2000" });
  note.value = draft.note || "";
  const save = el("fluent-button", { appearance: "primary", id: "inbox-save" }, t("dashboard.inbox.save"));
  const form = el("div", { class: "triage" }, el("div", { class: "tools" }, labelled(t("dashboard.inbox.filter.status"), status),
    labelled(t("dashboard.inbox.assignee"), assignee)), labelled(t("dashboard.inbox.note"), note), save);
  const typed = () => ({  // only what this admin changed, so a retry after a conflict undoes nobody's work
    status: status.value !== item.status ? status.value : undefined,
    assignee: assignee.value !== (item.assignee || "") ? assignee.value : undefined,
    note: note.value, reply: replyBox ? replyBox.value : "" });
  save.addEventListener("click", async () => {
    const change = { version: item.version };
    if (status.value !== item.status) change.status = status.value;
    if (assignee.value !== (item.assignee || "")) change.assignee = assignee.value;
    if (note.value.trim()) change.note = note.value;
    await submit(item, typed(), () => send("PATCH", `feedback/${encodeURIComponent(item.id)}`, change), "dashboard.inbox.saved");
  });

  let replyBox = null;
  const replyPart = [el("h3", {}, t("dashboard.inbox.reply"))];
  if (item.reply) {
    replyPart.push(el("p", {}, t("dashboard.inbox.replied", { who: person(item.reply.author), when: when(item.reply.at) })),
      el("blockquote", { class: "text" }, item.reply.text));
  } else if (item.anonymous) {
    replyPart.push(notice(t("dashboard.inbox.anonymous_no_reply")));
  } else {
    replyBox = el("textarea", { name: "reply", rows: "4", maxlength: "2000" });
    replyBox.value = draft.reply || "";
    const sendReply = el("fluent-button", { appearance: "primary", id: "inbox-reply" }, t("dashboard.inbox.send"));
    sendReply.addEventListener("click", () => submit(item, typed(),
      () => send("POST", `feedback/${encodeURIComponent(item.id)}/reply`, { version: item.version, text: replyBox.value }), null));
    replyPart.push(el("p", { class: "hint" }, t("dashboard.inbox.reply_hint")), labelled(t("dashboard.inbox.reply_text"), replyBox), sendReply);
  }

  const module = kit.state.me.modules.find((m) => m.id === item.module_id);
  const from = item.anonymous ? t("dashboard.inbox.anonymous") : t("dashboard.inbox.from", { name: item.submitter_name || item.submitter });
  const facts = [from, when(item.created_at), t(`feedback.category.${item.category}`), item.rating ? `${item.rating}/5` : "–",
    module ? module.title : "–", item.locale];
  const panel = el("section", { class: "panel item", id: "inbox-item", "aria-labelledby": "inbox-item-title", "data-version": String(item.version) },
    el("div", { class: "head" }, el("h2", { id: "inbox-item-title" }, t("dashboard.inbox.item")),
      el("span", { class: "badge" }, t(`dashboard.inbox.status.${item.status}`))),
    ...(message ? [message] : []),
    el("p", { class: "meta" }, facts.join(" · ")),
    el("blockquote", { class: "text", id: "inbox-text" }, item.text || "–"),
    form, ...replyPart,
    el("h3", {}, t("dashboard.inbox.notes")),
    item.notes.length ? el("ul", { class: "notes" }, ...item.notes.map((n) =>
      el("li", {}, el("span", { class: "meta" }, t("dashboard.inbox.note_by", { who: person(n.author), when: when(n.at) })), el("span", { class: "text" }, n.text))))
      : el("p", {}, t("dashboard.inbox.no_notes")),
    el("h3", {}, t("dashboard.inbox.history")),
    item.audit.length ? el("ol", { class: "audit", id: "inbox-audit" }, ...item.audit.map(auditLine)) : el("p", {}, t("dashboard.inbox.no_audit")));
  return panel;
}

function place(panel) {
  const old = document.getElementById("inbox-item");
  if (old) old.replaceWith(panel); else document.getElementById("inbox-list").before(panel);
  panel.querySelector("h2").setAttribute("tabindex", "-1");
  panel.querySelector("h2").focus();
}

async function submit(item, typed, request, savedKey) {
  const { status, body } = await request();
  const saved = body.item || body;
  if (status === 200) {
    const done = savedKey ? t(savedKey) : body.delivered ? t("dashboard.inbox.delivered") : t("dashboard.inbox.not_delivered", { problem: body.problem || "" });
    update(saved);
    place(detail({ ...saved, submitter_name: item.submitter_name }, {}, notice(done, body.delivered === false ? "error" : "")));
  } else if (status === 409 && body.current) {
    update(body.current);
    place(detail({ ...body.current, submitter_name: item.submitter_name }, typed, notice(t("dashboard.inbox.conflict"), "error")));
  } else {
    place(detail(item, typed, notice(t("dashboard.inbox.refused", { reason: body.error || `HTTP ${status}` }), "error")));
  }
}

function update(item) {  // the list row follows the item
  const index = inbox.items.findIndex((i) => i.id === item.id);
  if (index >= 0) inbox.items[index] = item;
  document.getElementById("inbox-list").replaceWith(listSection());
}

async function openItem(id) {
  inbox.openId = id;
  const item = await kit.api(`feedback/${encodeURIComponent(id)}`, { since: "", until: "", module: "", language: "" });
  place(detail(item));
}

function summary(tables) {
  const h = kit.state.headers;
  const byModule = tables.by_module;
  return el("details", { class: "panel summary" }, el("summary", {}, t("dashboard.inbox.summary")),
    kit.section(t("dashboard.inbox.by_category"), "feedback-report", kit.table(t("dashboard.inbox.by_category"),
      tables.by_category.map((r) => ({ ...r, category: t(`feedback.category.${r.category}`) })), ["category", "count"])),
    kit.section(t("dashboard.inbox.by_rating"), "feedback-report", kit.table(t("dashboard.inbox.by_rating"), tables.by_rating, ["rating", "count"])),
    kit.section(h.average_rating || "", "feedback-report", kit.table(h.average_rating || "", byModule, ["module", "average_rating"])));
}

export async function page(lent) {
  kit = lent;
  const [list, report] = await Promise.all([kit.api("feedback", query()), kit.api("feedback-report")]);
  inbox.items = list.items;
  inbox.cursor = list.cursor;
  inbox.admins = list.admins;
  const parts = [filters(), listSection(), summary(report.tables)];
  if (inbox.openId) {
    const item = await kit.api(`feedback/${encodeURIComponent(inbox.openId)}`, { since: "", until: "", module: "", language: "" });
    parts.splice(1, 0, detail(item));
  }
  return parts;
}
