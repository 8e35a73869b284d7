"""The store's log of refresh runs: each run's start, end, status, rows added and errors.

Mixed into ``Store``: the same connections, translations of errors and single transactions.
"""

import json

import sqlalchemy as sa

from dashboard.schema import as_utc, refresh_runs, utcnow


class RunQueries:
    def start_run(self) -> int:
        with self.writing() as conn:
            result = conn.execute(refresh_runs.insert().values(started_at=utcnow(), status="running"))
            return result.inserted_primary_key[0]

    def finish_run(self, run_id: int, rows_added: dict[str, int], errors: dict[str, str]) -> None:
        status = "ok" if not errors else ("failed" if not rows_added else "partial")
        with self.writing() as conn:
            conn.execute(refresh_runs.update().where(refresh_runs.c.id == run_id).values(
                finished_at=utcnow(), status=status,
                rows_added=json.dumps(rows_added, sort_keys=True),
                errors=json.dumps(errors, sort_keys=True)))

    def runs(self, limit: int = 20) -> list[dict]:
        """Most recent refresh runs first."""
        with self.reading() as conn:
            rows = conn.execute(sa.select(refresh_runs).order_by(refresh_runs.c.id.desc())
                                .limit(limit)).all()
        return [_run(r) for r in rows]

    def last_successful_run(self) -> dict | None:
        with self.reading() as conn:
            row = conn.execute(sa.select(refresh_runs)
                               .where(refresh_runs.c.status.in_(["ok", "partial"]))
                               .order_by(refresh_runs.c.id.desc()).limit(1)).first()
        return _run(row) if row is not None else None


def _run(row) -> dict:
    return {"id": row.id, "started_at": as_utc(row.started_at), "finished_at": as_utc(row.finished_at),
            "status": row.status,
            "rows_added": json.loads(row.rows_added) if row.rows_added else {},
            "errors": json.loads(row.errors) if row.errors else {}}
