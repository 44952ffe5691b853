"""The project's one web application (Sanic, Jinja2): the demo page and the widget's files
(web_app/site.py) and the staff console under /staff/ (web_app/staff/). `make run` starts it
on WEB_PORT; on the stack nginx serves it too."""
