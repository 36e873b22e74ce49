"""Follow-up and outcomes of probation clients, from dates to analysis columns.

Each client is followed from ``followup_start`` (intake) to ``followup_end`` (the date of
the first event, or the end of observation) and ``outcome`` says what ended the follow-up:
the censoring code (``none``) or the first event (``reoffence``, or a competing event such
as ``revocation`` or ``death``). A client whose follow-up has no length (dates missing or
end not after start) has no outcome window and is an input error, not a silent drop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.columns import require_columns
from workbench.errors import WorkbenchError


def follow_up(clients: pd.DataFrame, client: str = "client_id", start: str = "followup_start",
              end: str = "followup_end", outcome: str = "outcome", event: str = "reoffence",
              censored: str = "none", potential_end: str | None = "observation_end") -> pd.DataFrame:
    """Durations for survival analysis: ``client_id``, ``duration_days``, ``reoffended``
    (1 if the follow-up ended in ``event``), ``outcome`` (the first event or ``censored``)
    and, when the table has ``potential_end`` (the date observation would have ended without
    an event: end of the probation term or the data cut-off), ``potential_days``."""
    if potential_end is not None and potential_end not in clients.columns:
        potential_end = None
    require_columns(clients, [client, start, end, outcome], what="the clients table")
    begin = pd.to_datetime(clients[start], errors="coerce")
    finish = pd.to_datetime(clients[end], errors="coerce")
    kinds = clients[outcome].astype("string")
    is_event = kinds.ne(censored).fillna(False).to_numpy()
    length = (finish - begin).dt.days
    no_window = (begin.isna() | finish.isna() | (length < 0) | ((length == 0) & ~is_event)).to_numpy()
    if no_window.any():
        row = int(np.flatnonzero(no_window)[0])
        raise WorkbenchError("the client has no outcome window (follow-up dates missing or of no length)",
                             row=row + 1, record_id=clients[client].iloc[row], column=end,
                             value=f"{clients[start].iloc[row]} to {clients[end].iloc[row]}",
                             expected=f"{start} and {end} dates with {end} after {start}")
    if kinds.isna().any():
        row = int(np.flatnonzero(kinds.isna().to_numpy())[0])
        raise WorkbenchError("the outcome is blank", row=row + 1, record_id=clients[client].iloc[row],
                             column=outcome, expected=f"{censored!r} or the type of the first event")
    table = pd.DataFrame({"client_id": clients[client].to_numpy(), "duration_days": length.to_numpy(float),
                          "reoffended": (kinds == event).to_numpy(int), "outcome": kinds.to_numpy(object)})
    if potential_end is not None:
        potential = (pd.to_datetime(clients[potential_end], errors="coerce") - begin).dt.days.to_numpy(float)
        short = np.isnan(potential) | (potential < table["duration_days"].to_numpy())
        if short.any():
            row = int(np.flatnonzero(short)[0])
            raise WorkbenchError("the end of observation is missing or before the end of follow-up", row=row + 1,
                                 record_id=clients[client].iloc[row], column=potential_end,
                                 value=clients[potential_end].iloc[row], expected=f"a date on or after {end}")
        table["potential_days"] = potential
    return table


def outcome_within(follow: pd.DataFrame, window_days: float = 365.0, event: str = "reoffence",
                   censored: str = "none") -> pd.DataFrame:
    """Binary outcome for score validation: reoffended within ``window_days`` of intake.

    Takes ``follow_up`` output. ``reoffended_within`` is 1 for a reoffence inside the
    window, 0 when the client was followed for the whole window without one or a competing
    event (revocation, death) ended follow-up first, and NaN (``window_complete`` False)
    when follow-up was censored before the window closed: such clients must be left out of
    validation rather than counted as successes. With ``potential_days`` (see ``follow_up``)
    the window is complete exactly when observation could have lasted the whole window,
    whatever happened: deciding by potential rather than actual follow-up keeps clients with
    short terms from entering only when they reoffend early (which would bias the base rate
    and the AUC).
    """
    duration = follow["duration_days"].to_numpy(float)
    kinds = follow["outcome"].to_numpy(object)
    event_in = (kinds == event) & (duration <= window_days)
    competing_in = (kinds != event) & (kinds != censored) & (duration <= window_days)
    if "potential_days" in follow.columns:
        complete = follow["potential_days"].to_numpy(float) >= window_days
    else:
        complete = event_in | competing_in | (duration >= window_days)
    value = np.where(event_in, 1.0, 0.0)
    value[~complete] = np.nan
    return pd.DataFrame({"client_id": follow["client_id"].to_numpy(), "reoffended_within": value,
                         "window_complete": complete, "window_days": float(window_days)})
