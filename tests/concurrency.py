"""Running the same call from several threads at the same moment, each with its own session."""

import threading

from survey.core.extensions import db


def race(app, survey, count, action):
    """Call action(survey) from `count` threads released together; return (results, errors).

    Each thread loads the survey in its own app context and session before the start, so
    only `action` runs concurrently.
    """
    survey_id, survey_class = survey.id, type(survey)
    barrier = threading.Barrier(count, timeout=20)
    results, errors = [], []

    def run():
        with app.app_context():
            try:
                fresh = db.session.get(survey_class, survey_id)
                _ = fresh.questions  # loaded before the race, not during it
                barrier.wait()
                results.append(action(fresh))
            except Exception as error:  # collected, so the test can report it
                errors.append(error)
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors
