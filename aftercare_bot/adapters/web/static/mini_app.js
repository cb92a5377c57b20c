// The Mini App's first page: Telegram puts its signed launch data in the address after "#"
// (tgWebAppData=...), which never reaches a server. Post it back so the server can check its
// signature and open a session; without it (opened outside Telegram) nothing is sent.
(function () {
  var hash = window.location.hash.replace(/^#/, "");
  var data = new URLSearchParams(hash).get("tgWebAppData");
  if (!data) { return; }
  document.getElementById("init_data").value = data;
  document.getElementById("launch").submit();
})();
