"""Under `make run` there is no worker and no beat: the same publication job runs on an
in-process timer (a daemon thread) so that the embedded default publishes too. Started
only by `runserver` without a broker (CELERY_TASK_ALWAYS_EAGER), once per process."""

from __future__ import annotations

import logging
import os
import sys
import threading

from django.conf import settings

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 15 * 60
_started = threading.Event()


def _loop() -> None:
    from django.db import close_old_connections

    from elections.notices.publishing import publish_due

    stop = threading.Event()
    while True:
        try:
            close_old_connections()
            run = publish_due()
            for notice in run.published:
                log.warning(
                    "已发布公告 %s 第%s号 %s",
                    notice.election.community.code,
                    notice.number,
                    notice.title,
                )
        except Exception:
            log.exception("发布到期公告时出错")
        finally:
            close_old_connections()
        if stop.wait(INTERVAL_SECONDS):
            return


def start_if_embedded() -> bool:
    serving = len(sys.argv) > 1 and sys.argv[1] == "runserver"
    reloader_parent = "--noreload" not in sys.argv and os.environ.get("RUN_MAIN") != "true"
    if not serving or reloader_parent or not settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    if _started.is_set():
        return False
    _started.set()
    threading.Thread(target=_loop, name="huanjie-notices", daemon=True).start()
    return True
