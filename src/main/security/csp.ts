/** The Content-Security-Policy of every page (Electron security checklist: define a Content Security Policy). */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React and recharts set style attributes; no inline scripts are allowed.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // The VNC proxy listens on 127.0.0.1 on a random port with a per-session token.
    // 'self' also covers the browser-mode WebSocket on the same host and port (CSP level 3).
    "connect-src 'self' ws://127.0.0.1:*",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "worker-src 'self' blob:",
  ].join('; ');
}
