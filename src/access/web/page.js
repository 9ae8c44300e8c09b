// The page `kubectl berth vnc --web` serves: noVNC's RFB client on a WebSocket back to the plugin,
// which carries it through the Kubernetes API to the VM's display (src/access/vnc-web.ts). A broken
// tunnel is reconnected here, without reloading; the password lives in this page's memory only.
// Bundled for the browser by src/build/bundle.ts into dist/plugin/web/.
import RFB from '@novnc/novnc';
import { textToKeys } from '../text-keys.ts';

const XK_SHIFT_L = 0xffe1;
const screen = document.getElementById('screen');
const status = document.getElementById('status');
const login = document.getElementById('login');
const passwordInput = document.getElementById('password');
const socketUrl = new URL('websockify', location.href);
socketUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';

let rfb;
let password;
let retries = 0;
let retryTimer;
let refused = false;
/** Set while the open connection waits for a password, so the form answers it instead of reconnecting. */
let asking = false;

function say(text) {
  status.textContent = text;
}

function connect() {
  clearTimeout(retryTimer);
  refused = false;
  say(retries ? `reconnecting (attempt ${retries + 1})…` : 'connecting…');
  rfb = new RFB(screen, socketUrl.href, password === undefined ? {} : { credentials: { password } });
  // One canvas pixel per framebuffer pixel: the page scrolls rather than scales.
  rfb.scaleViewport = false;
  rfb.clipViewport = false;
  rfb.addEventListener('connect', () => {
    retries = 0;
    login.classList.remove('open');
    say('connected');
    rfb.focus();
  });
  rfb.addEventListener('credentialsrequired', () => {
    asking = true;
    say('password needed');
    login.classList.add('open');
    passwordInput.focus();
  });
  rfb.addEventListener('securityfailure', (e) => {
    refused = true;
    password = undefined;
    say(`the display refused the password${e.detail.reason ? `: ${e.detail.reason}` : ''}`);
  });
  rfb.addEventListener('desktopname', (e) => {
    document.title = `${e.detail.name} (${document.querySelector('.name').textContent})`;
  });
  rfb.addEventListener('disconnect', () => {
    asking = false;
    // The tunnel broke (a pod restart, a network blip, the API server) or never opened: try again
    // with a growing pause, keeping the page and the password it was given.
    retries += 1;
    const delay = Math.min(10_000, 500 * 2 ** Math.min(retries, 5));
    say(`${refused ? 'refused' : 'disconnected'}; reconnecting in ${Math.round(delay / 1000)} s…`);
    retryTimer = setTimeout(connect, delay);
  });
}

login.addEventListener('submit', (e) => {
  e.preventDefault();
  password = passwordInput.value;
  passwordInput.value = '';
  login.classList.remove('open');
  if (asking) {
    asking = false;
    rfb.sendCredentials({ password });
  }
  else connect();
});

document.getElementById('cad').addEventListener('click', () => {
  rfb?.sendCtrlAltDel();
  rfb?.focus();
});

const paste = document.getElementById('paste');
document.getElementById('paste-toggle').addEventListener('click', () => {
  paste.classList.toggle('open');
  if (paste.classList.contains('open')) document.getElementById('paste-text').focus();
});
document.getElementById('paste-send').addEventListener('click', () => {
  const box = document.getElementById('paste-text');
  for (const key of textToKeys(box.value)) {
    if (key.shift) rfb?.sendKey(XK_SHIFT_L, 'ShiftLeft', true);
    rfb?.sendKey(key.keysym, null);
    if (key.shift) rfb?.sendKey(XK_SHIFT_L, 'ShiftLeft', false);
  }
  rfb?.focus();
});

connect();
