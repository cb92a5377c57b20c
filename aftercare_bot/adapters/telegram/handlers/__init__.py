"""Telegram handlers: each parses an update, calls one use case in `services/`, renders the result.

Patients: patient (check-ins, concerns, /help), linking (/start and consent), check_ins,
appointments (reminder replies), patient_settings (/stop, /language, /timezone, /mydata, /delete).
Staff: enroll, staff, incidents, relay, patient_lists, stats, export, digest; access and pressed
are the checks every staff command and button press shares. The group handlers that come before
all others: flood_control and membership (blocked and unblocked chats).

No handler opens a unit of work, touches a repository, commits or sends through the Bot itself
(tests/unit/test_shape.py keeps it so): replies go through `messenger`.
"""
