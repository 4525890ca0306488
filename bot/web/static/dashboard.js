// The dashboard tab. Everything a worker typed (names, feedback) is put on the page with
// textContent, never as HTML. Data comes from /api/admin/ with the Teams SSO token as bearer;
// in anonymous local mode (coach dev) no token is needed.

const body = document.body;
const state = { token: null, strings: {}, headers: {}, locale: "en", me: null, page: "overview",
  filters: {}, paging: {}, charts: [] };

const PERCENT = new Set(["completion_rate", "pass_rate", "first_attempt_pass_rate", "response_rate"]);
const WHEN = new Set(["created_at", "last_active", "starts_at", "ends_at", "sent_at", "answered_at"]);
const TEXT = new Set(["text", "name", "question", "wrong_option", "step_title"]);
const HIDDEN = new Set(["module_id", "worker_id", "question_id", "id"]);
const FILTERS = ["since", "until", "module", "language"];
const THEMES = { default: "teamsLightTheme", dark: "teamsDarkTheme", contrast: "teamsHighContrastTheme" };

function t(key, values = {}) {
  const template = state.strings[key] || key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// TeamsJS is loaded only inside the Teams frame (outside it, in `coach dev`, there is no host).
function loadTeamsJs() {
  return new Promise((resolve, reject) => {
    const script = el("script", { src: body.dataset.teams });
    script.addEventListener("load", () => resolve(window.microsoftTeams));
    script.addEventListener("error", reject);
    document.head.append(script);
  });
}

async function teamsContext() {
  if (window.parent === window) return null;
  const teams = await loadTeamsJs();
  await teams.app.initialize();
  const context = await teams.app.getContext();
  teams.app.registerOnThemeChangeHandler((theme) => applyTheme(theme));
  return context;
}

async function applyTheme(name) {
  const [fluent, tokens] = await Promise.all([import(body.dataset.fluent), import(body.dataset.tokens)]);
  const theme = THEMES[name] ? name : "default";
  fluent.setTheme(tokens[THEMES[theme]]);
  document.documentElement.dataset.theme = theme;
  for (const chart of state.charts) { restyleChart(chart); chart.update("none"); }
}

function initialTheme(context) {
  const asked = new URLSearchParams(location.search).get("theme");
  if (asked) return asked;
  if (context) return context.app.theme;
  if (matchMedia("(forced-colors: active)").matches) return "contrast";
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "default";
}

async function api(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...state.filters, ...params })) {
    if (value !== "" && value !== undefined && value !== null && value !== false) query.set(name, value);
  }
  const headers = state.token ? { Authorization: `Bearer ${state.token}` } : {};
  const response = await fetch(`/api/admin/${path}?${query}`, { headers });
  if (!response.ok) {
    const error = new Error(`HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return params.format === "csv" ? response.blob() : response.json();
}

function format(column, value) {
  if (value === null || value === undefined || value === "") return "–";
  if (PERCENT.has(column)) return new Intl.NumberFormat(state.locale, { style: "percent", maximumFractionDigits: 1 }).format(value);
  if (typeof value === "boolean") return value ? t("dashboard.yes") : t("dashboard.no");
  if (WHEN.has(column)) return new Intl.DateTimeFormat(state.locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(value));
  if (typeof value === "number") return new Intl.NumberFormat(state.locale, { maximumFractionDigits: 2 }).format(value);
  return String(value);
}

function table(caption, rows, columns) {
  if (!rows.length) return el("p", {}, t("dashboard.empty"));
  const shown = columns.filter((c) => !HIDDEN.has(c));
  const numeric = (c) => rows.every((r) => r[c] === null || typeof r[c] === "number");
  const head = el("tr", {}, ...shown.map((c) => el("th", { scope: "col", class: numeric(c) ? "num" : null }, state.headers[c] || c)));
  const lines = rows.map((r) => el("tr", {}, ...shown.map((c) =>
    el("td", { class: TEXT.has(c) ? "text" : numeric(c) ? "num" : null }, format(c, r[c])))));
  return el("table", {}, el("caption", { class: "visually-hidden" }, caption), el("thead", {}, head), el("tbody", {}, ...lines));
}

function csvButton(path, extra = {}) {
  const button = el("fluent-button", { appearance: "outline" }, t("dashboard.csv"));
  button.addEventListener("click", async () => {
    const blob = await api(path, { ...extra, format: "csv" });
    const link = el("a", { href: URL.createObjectURL(blob), download: `coach-${path}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  });
  return button;
}

function section(title, path, ...content) {
  return el("section", { class: "panel" }, el("div", { class: "head" }, el("h2", {}, title), csvButton(path)), ...content);
}

function cssVar(name, fallback) {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function palette() {
  return [cssVar("--colorBrandBackground", "#5b5fc7"), cssVar("--colorPaletteGreenForeground1", "#0e700e"),
    cssVar("--colorPaletteDarkOrangeForeground1", "#c43501")];
}

function restyleChart(chart) {
  const colors = palette();
  chart.data.datasets.forEach((d, i) => { d.backgroundColor = colors[i % colors.length]; d.borderColor = colors[i % colors.length]; });
  const fg = cssVar("--colorNeutralForeground1", "#242424");
  const grid = cssVar("--colorNeutralStroke2", "#e0e0e0");
  chart.options.color = fg;
  for (const axis of Object.values(chart.options.scales || {})) {
    axis.ticks = { ...(axis.ticks || {}), color: fg };
    axis.grid = { ...(axis.grid || {}), color: grid };
  }
}

function chart(type, label, labels, datasets) {
  const canvas = el("canvas", { role: "img", "aria-label": label });
  const box = el("div", { class: "chart-box" }, canvas);
  const instance = new window.Chart(canvas, {
    type, data: { labels, datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: {}, y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  restyleChart(instance);
  instance.update("none");
  state.charts.push(instance);
  return el("figure", { class: "panel" }, el("figcaption", {}, label), box);
}

function pager(path, page) {
  const first = page.total ? page.offset + 1 : 0;
  const last = Math.min(page.offset + page.limit, page.total);
  const previous = el("button", { type: "button", disabled: page.offset === 0 }, t("dashboard.page.previous"));
  const next = el("button", { type: "button", disabled: last >= page.total }, t("dashboard.page.next"));
  const go = (delta) => { state.paging[path] = Math.max(1, (state.paging[path] || 1) + delta); show(path); };
  previous.addEventListener("click", () => page.offset > 0 && go(-1));
  next.addEventListener("click", () => last < page.total && go(1));
  return el("div", { class: "pager" }, previous, el("span", {}, t("dashboard.page.position", { first, last, total: page.total })), next);
}

const PAGES = {
  async overview() {
    const { tables } = await (state.prefetched || api("overview"));
    state.prefetched = null;
    const f = tables.figures[0];
    const figures = ["installed", "active", "trained", "pass_rate", "open_feedback"].map((name) =>
      el("div", { class: "figure" }, el("span", { class: "value" }, format(name, f[name])), el("span", { class: "label" }, t(`dashboard.figure.${name}`))));
    const weeks = tables.weeks;
    return [el("div", { class: "figures" }, ...figures),
      el("div", { class: "charts" },
        chart("line", t("dashboard.chart.weeks"), weeks.map((w) => w.week), [
          { label: state.headers.started, data: weeks.map((w) => w.started) },
          { label: state.headers.completed, data: weeks.map((w) => w.completed) }]),
        chart("bar", state.headers.completion_rate, tables.modules.map((m) => m.module), [
          { label: state.headers.completion_rate, data: tables.modules.map((m) => m.completion_rate * 100) }])),
      section(t("dashboard.tab.modules"), "overview", table(t("dashboard.tab.modules"), tables.modules, ["module", "started", "completed", "completion_rate"])),
      section(t("dashboard.chart.weeks"), "overview", table(t("dashboard.chart.weeks"), weeks, ["week", "started", "completed"]))];
  },
  async modules() {
    const { tables } = await api("modules");
    const funnel = tables.funnel;
    return [el("div", { class: "charts" }, chart("bar", t("dashboard.chart.funnel"), funnel.map((m) => m.module),
      ["started", "completed", "quiz_passed"].map((c) => ({ label: state.headers[c], data: funnel.map((m) => m[c]) })))),
      section(t("dashboard.chart.funnel"), "modules", table(t("dashboard.chart.funnel"), funnel, ["module", "started", "completed", "quiz_passed", "exercises_stuck"])),
      section(state.headers.stuck, "modules", table(state.headers.stuck, tables.stuck_steps, ["module", "step", "step_title", "stuck"]))];
  },
  async quizzes() {
    const { tables } = await api("quizzes", { page: state.paging.quizzes || 1 });
    return [section(t("dashboard.tab.quizzes"), "quizzes", table(t("dashboard.tab.quizzes"), tables.modules, ["module", "attempts", "workers", "pass_rate", "first_attempt_pass_rate", "average_score"])),
      section(state.headers.question, "quizzes", table(state.headers.question, tables.most_missed, ["module", "rank", "question", "misses", "wrong_option", "wrong_option_count"])),
      section(state.headers.best_score, "quizzes", table(state.headers.best_score, tables.best_scores, ["name", "module", "best_score", "passed", "attempts"]), pager("quizzes", tables.page[0]))];
  },
  async workers() {
    const search = state.workerSearch || "";
    const notTrained = !!state.notTrained;
    const { tables } = await api("workers", { page: state.paging.workers || 1, search, not_trained: notTrained ? "true" : "" });
    const input = el("input", { type: "search", name: "search", value: search });
    const check = el("input", { type: "checkbox", name: "not_trained", checked: notTrained });
    input.addEventListener("change", () => { state.workerSearch = input.value; state.paging.workers = 1; show("workers"); });
    check.addEventListener("change", () => { state.notTrained = check.checked; state.paging.workers = 1; show("workers"); });
    const tools = el("div", { class: "tools" }, el("label", {}, el("span", {}, t("dashboard.search")), input),
      el("label", { class: "inline" }, check, el("span", {}, t("dashboard.not_trained"))));
    const panel = section(t("dashboard.tab.workers"), "workers", tools, table(t("dashboard.tab.workers"), tables.workers, ["name", "language", "installed", "modules_done", "quizzes_passed", "last_active"]), pager("workers", tables.page[0]));
    panel.querySelector(".head fluent-button").replaceWith(csvButton("workers", { search, not_trained: notTrained ? "true" : "" }));
    return [panel];
  },
  feedback: () => modulePage(body.dataset.inbox),  // bot/web/static/inbox.js
  campaigns: () => modulePage(body.dataset.campaigns),  // bot/web/static/campaigns.js
  adoption: () => modulePage(body.dataset.adoption),  // bot/web/static/adoption.js
};

// Pages in modules of their own get these helpers; each exports page(kit) -> the page's nodes.
async function modulePage(url) {
  const kit = { t, el, api, format, table, section, csvButton, pager, state, show };
  return (await import(url)).page(kit);
}

function message(text, cls = "") {
  const content = document.getElementById("content");
  content.replaceChildren(el("p", { id: "status", role: "status", class: cls }, text));
}

// Chart.js loads in parallel with this script (async, not defer: the data requests need not
// wait for its 200 KB to be evaluated); the first page with charts waits for it here.
const chartsLoaded = window.Chart ? Promise.resolve() : new Promise((resolve) => {
  const script = document.getElementById("chart-js");
  script.addEventListener("load", resolve);
  script.addEventListener("error", resolve);  // then the page says it could not load
});

async function show(page) {
  state.page = page;
  for (const tab of document.querySelectorAll("#tabs button")) tab.setAttribute("aria-selected", String(tab.dataset.page === page));
  for (const c of state.charts.splice(0)) c.destroy();
  try {
    await chartsLoaded;  // the first page's data is already on its way (start: prefetched)
    const parts = await PAGES[page]();
    document.getElementById("content").replaceChildren(...parts);
    body.dataset.ready = page;
    if (!window.dashboardReadyMs) window.dashboardReadyMs = performance.now();
  } catch (error) {
    message(error.status === 403 ? t("dashboard.error.forbidden") : t("dashboard.error.load"), "error");
    body.dataset.ready = "error";
  }
}

function fillFilters() {
  const form = document.getElementById("filters");
  const option = (value, label) => el("option", { value }, label);
  form.elements.module.replaceChildren(option("", t("dashboard.filter.all")), ...state.me.modules.map((m) => option(m.id, m.title)));
  form.elements.language.replaceChildren(option("", t("dashboard.filter.all")), ...state.me.languages.map((l) =>
    option(l, new Intl.DisplayNames([state.locale], { type: "language" }).of(l) || l)));
  const apply = (event) => {
    event?.preventDefault();
    const data = new FormData(form);
    state.filters = { since: data.get("since"), until: data.get("until"), module: data.get("module"), language: data.get("language") };
    state.paging = {};
    show(state.page);
  };
  for (const name of FILTERS) form.elements[name].value = state.filters[name] || "";
  form.addEventListener("submit", apply);
  form.querySelector("fluent-button[type=submit]").addEventListener("click", apply);
  form.hidden = false;
}

function fillTabs() {
  const tabs = document.getElementById("tabs");
  tabs.replaceChildren(...state.me.pages.map((page) => {
    const tab = el("button", { type: "button", role: "tab", "data-page": page, "aria-selected": "false", "aria-controls": "content" }, t(`dashboard.tab.${page}`));
    tab.addEventListener("click", () => show(page));
    return tab;
  }));
}

async function loadStrings(locale) {
  const response = await fetch(`/dashboard/strings?lang=${encodeURIComponent(locale)}`);
  const data = await response.json();
  state.strings = data.strings;
  state.headers = data.headers;
  document.documentElement.lang = data.language;
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
  document.title = t("dashboard.title");
  document.getElementById("title").textContent = t("dashboard.title");
}

async function start() {
  let context = null;
  try {
    context = await teamsContext();
  } catch {
    context = null;
  }
  state.locale = context?.app?.locale || navigator.language || "en";
  const shown = Promise.all([loadStrings(state.locale), applyTheme(initialTheme(context))]);
  try {
    if (body.dataset.mode === "sso") state.token = await window.microsoftTeams.authentication.getAuthToken();
  } catch {
    await shown;
    message(t("dashboard.error.sign_in"), "error");
    body.dataset.ready = "error";
    return;
  }
  const asked = new URLSearchParams(location.search);  // a link may carry the filters
  state.filters = Object.fromEntries(FILTERS.map((name) => [name, asked.get(name) || ""]));
  const me = api("me");  // asked while the strings and the theme load, with the first page's data
  state.prefetched = api("overview");
  state.prefetched.catch(() => {});  // a trainer may not see it: then it is not used
  await shown;
  message(t("dashboard.loading"));
  try {
    state.me = await me;
  } catch (error) {
    message(error.status === 403 ? t("dashboard.error.forbidden") : t("dashboard.error.sign_in"), "error");
    body.dataset.ready = "error";
    return;
  }
  document.getElementById("who").textContent = t("dashboard.signed_in_as", { name: state.me.name, role: t(`dashboard.role.${state.me.role}`) });
  fillTabs();
  fillFilters();
  if (state.me.pages[0] !== "overview") state.prefetched = null;
  await show(state.me.pages[0]);
}

start();
