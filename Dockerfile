# Airflow 3.3 image with the project's locked dependencies and package (used by docker-compose.yml).
FROM apache/airflow:3.3.2-python3.11

USER airflow
WORKDIR /opt/mdw
COPY --chown=airflow:root requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir "uv==0.13.8" \
 && uv pip install --no-cache --python "$(command -v python)" -r requirements.lock
COPY --chown=airflow:root plugins ./plugins
COPY --chown=airflow:root dags ./dags
COPY --chown=airflow:root dbt_project ./dbt_project
COPY --chown=airflow:root expectations ./expectations
RUN uv pip install --no-cache --python "$(command -v python)" --no-deps -e . \
 && MDW_HOME=/tmp/mdw mdw manifest
