"""Extensions created once and bound in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
# Only the routes that ask for a limit get one; counters live in the database (auth/ratelimit.py,
# whose storage scheme the app registers before binding the limiter).
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="eoffice+sql://")
