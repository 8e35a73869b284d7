"""The exchange session in which the market could first react to a piece of news (XNYS)."""

from datetime import date, datetime

import pandas as pd

from dashboard.calendars import NEW_YORK, nyse


def event_session(published: date | datetime) -> date:
    """First regular session that could react to news published at ``published``.

    A date-time before that day's close (pre-market included) on a session day gives that
    session; at or after the close (16:00 New York time, 13:00 on early-close days), or on a
    weekend or holiday, the next session. A date alone gives that date if it is a session,
    otherwise the next session. Naive date-times mean New York time.
    """
    calendar = nyse()
    if not isinstance(published, datetime):
        return calendar.date_to_session(pd.Timestamp(published), direction="next").date()
    moment = published if published.tzinfo else published.replace(tzinfo=NEW_YORK)
    instant = pd.Timestamp(moment).tz_convert("UTC")
    local_day = pd.Timestamp(instant.tz_convert(NEW_YORK).date())
    if calendar.is_session(local_day):
        if instant < calendar.session_close(local_day):
            return local_day.date()
        return calendar.next_session(local_day).date()
    return calendar.date_to_session(local_day, direction="next").date()
