// AG Grid cell renderers. Values are rendered as text nodes (React escapes them): an event title
// from a user's file can never become markup.
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

function safeHref(href, external) {
  if (typeof href !== "string") return null;
  if (external) return /^https?:\/\//i.test(href) ? href : null;
  return href.charAt(0) === "/" && href.charAt(1) !== "/" ? href : null;
}

dagcomponentfuncs.EventLink = function (props) {
  var href = safeHref(props.data && props.data.event_link, false);
  return href ? React.createElement("a", { href: href }, String(props.value)) : String(props.value);
};

dagcomponentfuncs.InternalLink = function (props) {
  var href = safeHref(props.value, false);
  return href ? React.createElement("a", { href: href }, "Overview") : "";
};

dagcomponentfuncs.ExternalLink = function (props) {
  var href = safeHref(props.value, true);
  if (!href) return "";
  var host = href.replace(/^https?:\/\//i, "").split("/")[0];
  return React.createElement("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, host);
};

dagfuncs.dateFilterComparator = function (filterDate, cellValue) {
  if (!cellValue) return -1;
  var parts = cellValue.split("-");
  var cell = new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
  return cell < filterDate ? -1 : cell > filterDate ? 1 : 0;
};
