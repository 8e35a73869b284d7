// A page's charts are painted one at a time, in page order. Dash's graphs call Plotly.react in
// the same task when a page mounts or a callback answers several figures, so the browser painted
// nothing until every chart was drawn: on a returning visit to /ticker/MARA the price chart waited
// about 50 ms for the rolling and drawdown charts below it. A draw asked for while another one's
// frame is not yet painted now waits for that paint. Without `npm ci` Dash loads its own plotly.js
// after this script, and the charts are drawn together as before.
(() => {
  const Plotly = window.Plotly;
  if (!Plotly || !Plotly.react) return;
  const react = Plotly.react;
  const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  let turn = null; // settles once the frame of the latest draw has been painted

  Plotly.react = function (gd, ...args) {
    const drawn = turn
      ? turn.then(() => (gd.isConnected ? react.call(Plotly, gd, ...args) : gd))
      : Promise.resolve(react.call(Plotly, gd, ...args));
    const mine = drawn.then(painted, painted);
    turn = mine;
    mine.then(() => {
      if (turn === mine) turn = null;
    });
    return drawn;
  };
})();
