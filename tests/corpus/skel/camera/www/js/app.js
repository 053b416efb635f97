// Refresh the live view every two seconds once logged in.
window.addEventListener("load", function () {
  var img = document.getElementById("live");
  setInterval(function () { img.src = "/cgi-bin/snapshot.cgi?t=" + Date.now(); }, 2000);
});
