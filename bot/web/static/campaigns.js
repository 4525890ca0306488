// The Campaigns page (trainers and admins): every campaign with its progress, and a chosen
// campaign's results (bot/web/campaigns_api.py). Titles are what a trainer typed: text only.

let kit;
let openId = null;

function t(key, values) { return kit.t(key, values); }
function el(...args) { return kit.el(...args); }

const LIST = ["title", "module", "state", "starts_at", "ends_at", "audience", "sent", "waiting", "failed", "unreachable", "reminders_sent"];

function stateName(row) { return { ...row, state: t(`dashboard.campaigns.state.${row.state}`) }; }

function list(rows) {
  if (!rows.length) return el("p", {}, t("dashboard.empty"));
  const shown = kit.table(t("dashboard.tab.campaigns"), rows.map(stateName), LIST);
  shown.querySelector("thead tr").append(el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, t("dashboard.campaigns.open"))));
  shown.querySelectorAll("tbody tr").forEach((tr, n) => {
    const open = el("button", { type: "button", class: "link", "data-id": rows[n].id }, t("dashboard.campaigns.open"));
    open.addEventListener("click", () => { openId = rows[n].id; kit.show("campaigns"); });
    tr.append(el("td", {}, open));
  });
  return shown;
}

async function results(id) {
  const { tables } = await kit.api(`campaigns/${encodeURIComponent(id)}`, { since: "", until: "", module: "", language: "" });
  const [row] = tables.campaign;
  const [figures] = tables.results;
  const facts = ["audience", "reached", "answered", "response_rate", "pass_rate", "average_score"].map((name) =>
    el("div", { class: "figure" }, el("span", { class: "value" }, kit.format(name, figures[name])), el("span", { class: "label" }, kit.state.headers[name] || name)));
  const workers = tables.workers.map((w) => ({ ...w, state: t(`dashboard.campaigns.delivery.${w.state}`) }));
  const panel = el("section", { class: "panel", id: "campaign-results", "aria-labelledby": "campaign-title" },
    el("div", { class: "head" }, el("h2", { id: "campaign-title" }, t("dashboard.campaigns.results", { title: row.title })),
      kit.csvButton(`campaigns/${encodeURIComponent(id)}`, { since: "", until: "", module: "", language: "" })),
    el("p", { class: "meta" }, `${row.module} · ${t(`dashboard.campaigns.state.${row.state}`)}`),
    el("div", { class: "figures" }, ...facts),
    el("h3", {}, t("dashboard.campaigns.workers")),
    kit.table(t("dashboard.campaigns.workers"), workers, ["name", "state", "reminders_sent", "sent_at", "answered_at", "score", "passed"]),
    el("h3", {}, t("dashboard.campaigns.most_missed")),
    kit.table(t("dashboard.campaigns.most_missed"), tables.most_missed, ["question", "missed"]));
  return panel;
}

export async function page(lent) {
  kit = lent;
  const { tables } = await kit.api("campaigns");
  const parts = [kit.section(t("dashboard.tab.campaigns"), "campaigns", list(tables.campaigns))];
  if (openId && tables.campaigns.some((c) => c.id === openId)) parts.push(await results(openId));
  return parts;
}
