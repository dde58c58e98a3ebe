// Starts GraphiQL on the page served at /graphql/ (api/templates/graphql/graphiql.html).
// A file rather than an inline script, so that the page works under `script-src 'self'`.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var url = root.getAttribute("data-endpoint") || window.location.pathname;
  // Same origin: the browser sends the refresh cookie (Path=/graphql/) and an Origin that
  // development allows, so `refresh(transport: COOKIE)` works from here.
  var fetcher = GraphiQL.createFetcher({ url: url, fetch: function (input, init) {
    return window.fetch(input, Object.assign({}, init, { credentials: "same-origin" }));
  } });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // Keeps `{"Authorization": "Bearer …"}` in this browser's localStorage, so the
      // signed-in header survives a reload.
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
      defaultQuery:
        "# Sign in with login(transport: COOKIE), put the accessToken in the Headers tab as\n" +
        '# {"Authorization": "Bearer <token>"}, and refresh(transport: COOKIE) when it expires.\n' +
        "{\n  me {\n    id\n    email\n  }\n}\n",
    }),
  );
})();
