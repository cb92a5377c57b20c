"""The staff console, served by the bot itself: server-rendered pages in a browser and inside
Telegram as a Mini App, each route as thin as a Telegram handler (parse, call one use case,
render). Imported only when `web.enabled`; see `server.ConsoleServer`.
"""
