// The dashboard's Adoption page: training against real Microsoft 365 use (/api/admin/adoption).
// dashboard.js registers it and passes its helpers (page(kit)); names are put on the page as text only.

const RATES = new Set(["trained_share", "untrained_share", "meeting_rate"]);

export async function page({ api, el, t, table, section, csvButton, state, show }) {
  const department = state.adoptionDepartment || "";
  const data = await api("adoption", { department });
  const { tables } = data;
  const parts = [];
  if (!data.report_date) return [el("p", { class: "note" }, t("dashboard.adoption.no_import"))];
  const day = new Intl.DateTimeFormat(state.locale, { dateStyle: "medium", timeZone: "UTC" });
  parts.push(el("p", { class: "note" }, t("dashboard.adoption.intro", { date: day.format(new Date(data.report_date)) })));
  if (data.concealed) parts.push(el("p", { class: "note concealed", role: "note" }, t("dashboard.adoption.concealed")));
  const percent = new Intl.NumberFormat(state.locale, { style: "percent", maximumFractionDigits: 1 });
  const shown = (c, value) => (value === null ? null : RATES.has(c) ? percent.format(value)
    : c === "report_date" ? day.format(new Date(value)) : value);
  const shares = (rows, columns) => rows.map((row) => Object.fromEntries(columns.map((c) => [c, shown(c, row[c])])));
  const workloadColumns = data.concealed ? ["workload", "tenant_users", "tenant_active"]
    : ["workload", "trained", "trained_active", "trained_share", "untrained", "untrained_active", "untrained_share", "tenant_users", "tenant_active"];
  parts.push(section(t("dashboard.adoption.workloads"), "adoption",
    table(t("dashboard.adoption.workloads"), shares(tables.workloads, workloadColumns), workloadColumns)));
  const moduleColumns = ["module", "completed", "evaluated", "meeting", "meeting_rate"];
  parts.push(section(t("dashboard.adoption.modules"), "adoption",
    table(t("dashboard.adoption.modules"), shares(tables.modules, moduleColumns), moduleColumns)));
  const trendColumns = ["report_date", "workload", "trained_share", "untrained_share"];
  parts.push(section(t("dashboard.adoption.trend"), "adoption",
    table(t("dashboard.adoption.trend"), shares(tables.trend, trendColumns), trendColumns)));
  if (data.concealed) return parts;

  const choose = el("select", { name: "department" }, el("option", { value: "" }, t("dashboard.filter.all")),
    ...data.departments.map((d) => el("option", { value: d, selected: d === department }, d)));
  choose.addEventListener("change", () => { state.adoptionDepartment = choose.value; show("adoption"); });
  parts.push(el("div", { class: "tools" }, el("label", {}, el("span", {}, t("dashboard.adoption.department")), choose)));
  for (const name of ["trained_not_using", "untrained_not_using"]) {
    const total = data.names_total[name];
    const panel = section(t(`dashboard.adoption.${name}`), "adoption",
      table(t(`dashboard.adoption.${name}`), tables[name], ["department", "module", "name"]),
      ...(total > tables[name].length ? [el("p", { class: "note" }, t("dashboard.adoption.shown", { shown: tables[name].length, total }))] : []));
    panel.querySelector(".head fluent-button").replaceWith(csvButton("adoption", { department }));  // the list chosen
    parts.push(panel);
  }
  return parts;
}
