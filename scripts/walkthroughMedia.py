"""Generates the Get Started walkthrough's SVG media (media/walkthrough/*.svg).

The SVGs are drawn with VS Code theme variables (with fallbacks), so the walkthrough page renders them in
the user's theme: light, dark and high contrast alike. Colours and fonts are presentation attributes only:
the walkthrough's webview CSP (style-src with a nonce) drops inline style attributes.
Run: python3 scripts/walkthroughMedia.py
"""
from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parent.parent / 'media' / 'walkthrough'
BG = 'var(--vscode-editor-background, #1e1e1e)'
SIDE = 'var(--vscode-sideBar-background, #252526)'
BORDER = 'var(--vscode-contrastBorder, var(--vscode-widget-border, #80808060))'
FG = 'var(--vscode-foreground, #cccccc)'
MUTED = 'var(--vscode-descriptionForeground, #9d9d9d)'
ACCENT = 'var(--vscode-button-background, #0e639c)'
ACCENT_FG = 'var(--vscode-button-foreground, #ffffff)'
SEL = 'var(--vscode-list-activeSelectionBackground, #04395e)'
SEL_FG = 'var(--vscode-list-activeSelectionForeground, #ffffff)'
INPUT = 'var(--vscode-input-background, #3c3c3c)'
WIDGET = 'var(--vscode-editorWidget-background, #252526)'
GREEN = 'var(--vscode-charts-green, #89d185)'
YELLOW = 'var(--vscode-charts-yellow, #cca700)'
RED = 'var(--vscode-charts-red, #f14c4c)'
BLUE = 'var(--vscode-charts-blue, #3794ff)'
FONT = 'var(--vscode-font-family, system-ui, sans-serif)'
MONO = 'var(--vscode-editor-font-family, monospace)'


def text(x, y, s, fill=FG, size=13, weight='normal', family=FONT, anchor='start'):
    return (f'<text x="{x}" y="{y}" fill="{fill}" font-family="{family}" font-size="{size}" font-weight="{weight}" '
            f'text-anchor="{anchor}">{escape(keep_indent(s))}</text>')


def keep_indent(s):
    """SVG collapses leading spaces: indentation (code samples) becomes no-break spaces."""
    stripped = s.lstrip(' ')
    return '\u00a0' * (len(s) - len(stripped)) + stripped


def rect(x, y, w, h, fill, stroke=None, r=4):
    s = f' stroke="{stroke}"' if stroke else ''
    return f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}" fill="{fill}"{s}/>'


def dot(x, y, color, r=5):
    return f'<circle cx="{x}" cy="{y}" r="{r}" fill="{color}"/>'


def verdict(x, y, kind):
    """A round pass/warn/fail badge drawn with paths (no emoji fonts needed)."""
    color = {'pass': GREEN, 'warn': YELLOW, 'fail': RED}[kind]
    mark = {'pass': f'M{x-4} {y} l3 3 l5 -6', 'warn': f'M{x} {y-4} v5 M{x} {y+3} v1', 'fail': f'M{x-3} {y-3} l6 6 M{x+3} {y-3} l-6 6'}[kind]
    return dot(x, y, color, 8) + f'<path d="{mark}" fill="none" stroke="{BG}" stroke-width="2" stroke-linecap="round"/>'


def frame(title, body):
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 300" width="480" height="300" role="img" '
            f'aria-label="{escape(title)}">' + rect(1, 1, 478, 298, BG, BORDER, 8) + ''.join(body) + '</svg>\n')


def sidebar_header(label):
    return [rect(1, 1, 478, 30, SIDE, None, 8), text(16, 21, label, MUTED, 11, 'bold')]


def add_server():
    rows = [
        (58, '▾', 'Tickets', 'https://mcp.example.com/mcp', GREEN, True),
        (84, '', 'alice — OAuth client mcp-secure', '', None, False),
        (110, '', 'Granted scopes: tickets:read, tickets:write', '', None, False),
        (136, '▸', 'Notes (stdio)', 'shared secret 3f9a…', MUTED, False),
    ]
    body = sidebar_header('MCP SECURE: SERVERS')
    body.append(text(440, 21, '+', FG, 18, 'bold'))
    for y, twisty, label, desc, color, selected in rows:
        if selected:
            body.append(rect(4, y - 15, 472, 22, SEL, None, 2))
        indent = 20 if twisty else 44
        body.append(text(indent, y, twisty, SEL_FG if selected else FG, 12))
        if color:
            body.append(dot(indent + 20, y - 4, color))
        body.append(text(indent + (32 if color else 0), y, label, SEL_FG if selected else FG, 13))
        if desc:
            body.append(text(250, y, desc, MUTED, 12))
    body += [rect(40, 176, 400, 96, WIDGET, BORDER, 6), text(56, 200, 'Add Server', FG, 13, 'bold'),
             rect(56, 212, 368, 28, INPUT, ACCENT, 3), text(66, 231, 'https://mcp.example.com/mcp', FG, 13, family=MONO),
             text(56, 260, 'HTTP servers sign in with OAuth; stdio servers get a shared secret.', MUTED, 11)]
    return frame('Adding an MCP server', body)


def sign_in():
    body = [rect(1, 1, 44, 298, SIDE, None, 8)]
    body += [f'<circle cx="23" cy="262" r="9" fill="none" stroke="{FG}" stroke-width="2"/>', dot(23, 258, FG, 3)]
    body += [rect(56, 120, 390, 160, WIDGET, BORDER, 6)]
    items = [('alice (MCP Secure Connections)', False), ('Sign in with MCP Secure Connections to use Tickets (1)', True),
             ('Manage Trusted Extensions', False), ('Sign Out', False)]
    for i, (label, selected) in enumerate(items):
        y = 150 + i * 32
        if selected:
            body.append(rect(62, y - 19, 378, 28, SEL, None, 3))
        body.append(text(76, y, label, SEL_FG if selected else FG, 13))
    body += [text(64, 40, 'Accounts', FG, 16, 'bold'), text(64, 66, 'Sign-in opens your browser (OAuth 2.1 + PKCE);', MUTED, 12),
             text(64, 86, 'tokens stay in the editor\'s secret storage.', MUTED, 12)]
    return frame('Signing in from the Accounts menu', body)


def connect():
    body = [rect(40, 24, 400, 190, WIDGET, BORDER, 6), rect(52, 36, 376, 28, INPUT, ACCENT, 3),
            text(62, 55, '>MCP Secure: Conn', FG, 13, family=MONO)]
    items = [('MCP Secure: Connect', True), ('MCP Secure: Disconnect', False), ('MCP Secure: Check Server Security…', False),
             ('MCP Secure: Call Tool…', False)]
    for i, (label, selected) in enumerate(items):
        y = 92 + i * 30
        if selected:
            body.append(rect(46, y - 19, 388, 28, SEL, None, 3))
        body.append(text(62, y, label, SEL_FG if selected else FG, 13))
    body += [dot(60, 252, GREEN), text(74, 256, 'Tickets — connected as alice', FG, 13),
             text(74, 278, 'scopes granted: tickets:read tickets:write', MUTED, 12)]
    return frame('Connecting from the Command Palette', body)


def call_tool():
    body = [rect(24, 20, 432, 96, WIDGET, BORDER, 6), text(38, 44, 'Call a tool of Tickets', FG, 13, 'bold'),
            rect(30, 56, 420, 26, SEL, None, 3), text(42, 74, 'list_tickets', SEL_FG, 13, 'bold'),
            text(140, 74, 'List tickets (needs tickets:read)', SEL_FG, 12),
            text(42, 104, 'close_ticket', FG, 13, 'bold'), text(140, 104, 'Close a ticket (needs tickets:write)', MUTED, 12)]
    code = ['{', '  "content": [', '    { "type": "text",', '      "text": "#1 Login fails (open)" }', '  ]', '}']
    body.append(rect(24, 132, 432, 148, SIDE, BORDER, 6))
    for i, line in enumerate(code):
        body.append(text(40, 156 + i * 20, line, BLUE if '"' in line else FG, 13, family=MONO))
    return frame('Calling a tool', body)


def review_audit():
    body = sidebar_header('MCP SECURE: AUDIT LOG')
    body += [verdict(300, 16, 'pass'), text(314, 21, 'chain verified', GREEN, 11, 'bold')]
    cols = [(16, 'Time'), (90, 'Server'), (170, 'Tool'), (290, 'Caller'), (370, 'Outcome')]
    for x, label in cols:
        body.append(text(x, 56, label, MUTED, 11, 'bold'))
    rows = [('10:42', 'Tickets', 'list_tickets', 'palette', 'success', GREEN), ('10:43', 'Tickets', 'close_ticket', 'panel', 'denied', RED),
            ('10:44', 'Notes', 'read_note', 'panel', 'success', GREEN), ('10:45', 'Tickets', 'list_tickets', 'palette', 'error', YELLOW)]
    for i, (t, server, tool, caller, outcome, color) in enumerate(rows):
        y = 86 + i * 30
        if i == 1:
            body.append(rect(4, y - 19, 472, 28, SEL, None, 2))
        fg = SEL_FG if i == 1 else FG
        for x, value in zip([16, 90, 170, 290], [t, server, tool, caller]):
            body.append(text(x, y, value, fg, 12, family=MONO if x == 170 else FONT))
        body += [dot(376, y - 4, color), text(388, y, outcome, fg, 12)]
    body += [text(16, 232, 'who: alice · agent: mcp-secure (OAuth client)', MUTED, 12),
             text(16, 254, 'arguments: {"id": "42"} · secrets redacted', MUTED, 12),
             text(16, 276, 'SHA-256 hash chain: every record links to the one before', MUTED, 12)]
    return frame('Reviewing the audit log', body)


def check_security():
    body = [text(20, 36, 'Security report: Tickets', FG, 16, 'bold'), text(20, 58, '12 passed · 2 warnings · 0 failed', MUTED, 12)]
    rows = [('Protected resource metadata', 'pass'), ('Issuer equality (RFC 8414)', 'pass'), ('PKCE S256', 'pass'),
            ('Authorization response iss (RFC 9207)', 'pass'), ('Audience binding (RFC 8707)', 'pass'),
            ('Sender-constrained tokens (DPoP)', 'warn'), ('Revocation endpoint', 'warn')]
    for i, (label, kind) in enumerate(rows):
        y = 90 + i * 28
        body += [verdict(32, y - 4, kind), text(50, y, label, FG, 13)]
    body += [text(330, 258, 'spec + what to do', MUTED, 11), text(330, 276, 'for every check', MUTED, 11)]
    return frame('A server security report', body)


def chat_gateway():
    body = sidebar_header('CHAT')
    body += [rect(16, 44, 448, 30, SIDE, BORDER, 6), text(30, 64, 'Which tickets are still open?', FG, 13)]
    body += [rect(16, 86, 448, 54, WIDGET, BORDER, 6), verdict(34, 104, 'pass'),
             text(50, 108, 'Ran list_tickets', FG, 13, 'bold'),
             text(166, 108, '— MCP Secure Connections: Tickets', MUTED, 12),
             text(50, 128, '{ "status": "open" }', BLUE, 12, family=MONO)]
    body += [text(20, 164, 'Two tickets are open: #1 Login fails and #4 Slow export.', FG, 13)]
    body += [rect(16, 184, 448, 58, SIDE, BORDER, 6), text(30, 206, 'MCP Secure Connections', FG, 12, 'bold'),
             dot(36, 224, GREEN), text(48, 228, 'Tickets — signed in as alice', FG, 12),
             dot(260, 224, GREEN), text(272, 228, 'Notes — shared secret', FG, 12)]
    body += [text(16, 266, 'Chat reaches your servers only through MCP Secure:', MUTED, 12),
             text(16, 284, 'same sign-in, tool policy and audit log (caller: chat).', MUTED, 12)]
    return frame('Chat using a server through MCP Secure', body)


if __name__ == '__main__':
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in [('addServer', add_server), ('signIn', sign_in), ('connect', connect), ('callTool', call_tool),
                       ('reviewAudit', review_audit), ('checkSecurity', check_security), ('chatGateway', chat_gateway)]:
        (OUT / f'{name}.svg').write_text(draw(), encoding='utf-8')
        print(f'wrote media/walkthrough/{name}.svg')
