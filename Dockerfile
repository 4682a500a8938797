# 换届通 production image: gunicorn (web), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HUANJIE_ENV=production \
    HUANJIE_VAR_DIR=/app/var

# WeasyPrint's system libraries and a CJK font (PDFs never depend on the host's fonts).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
      libjpeg62-turbo libopenjp2-7 libffi8 fonts-noto-cjk shared-mime-info \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY config ./config
COPY electionlaw ./electionlaw
COPY elections ./elections
COPY candidates ./candidates
COPY vetting ./vetting
COPY ballots ./ballots
RUN pip install -c constraints.txt .
# Only what the app runs from: never `COPY . .`, which would bake .env (the secrets),
# .venv and the development database under var/ into the image.
COPY manage.py ./
COPY templates ./templates
COPY locale ./locale
COPY static ./static
# collectstatic needs settings but no real secrets.
RUN SECRET_KEY=build PERSONAL_DATA_KEY=build ALLOWED_HOSTS=localhost CSRF_TRUSTED_ORIGINS=https://localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 --home /app huanjie \
 && mkdir -p /app/var/media && chown -R huanjie /app/var

USER huanjie
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
