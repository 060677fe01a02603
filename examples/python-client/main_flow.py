"""The main flow of roadshow through a client generated from its OpenAPI document.

    openapi-python-client generate --url http://127.0.0.1:8080/api/v1/openapi.json \
        --config examples/python-client/openapi-python-client.yaml --meta none --output-path roadshow_client
    python examples/python-client/main_flow.py http://127.0.0.1:8080

Against `roadshow serve --demo`: a staff member logs in, an attendee registers to a stop open
for registration, and the badge is scanned at the stop's entrance (`ok`, then
`already_checked_in`). Exits non-zero on any unexpected answer.
"""

import sys
import uuid

from roadshow_client import AuthenticatedClient, Client
from roadshow_client.api.accounts import create_token
from roadshow_client.api.check_in import check_in
from roadshow_client.api.registration import create_registration
from roadshow_client.api.setup import get_stop, get_tour, list_tours
from roadshow_client.models import (
    CheckInRequest,
    CheckInResponse,
    CreateTokenRequest,
    RegistrationRequest,
    RegistrationResponse,
)


def main(base_url: str) -> None:
    public = Client(base_url=base_url, raise_on_unexpected_status=True)

    login = create_token.sync(
        client=public,
        body=CreateTokenRequest(email="staff@roadshow.example", password="demo-staff"),
    )
    assert login is not None and login.role == "staff", login
    staff = AuthenticatedClient(base_url=base_url, token=login.token)

    # A stop still open for registration (the demo's upcoming tour has them).
    open_stop = None
    for tour in list_tours.sync(client=public) or []:
        detail = get_tour.sync(tour.id, client=public)
        for summary in detail.stops:
            stop = get_stop.sync(summary.id, client=public)
            if stop.registration_open and stop.seats_left > 0:
                open_stop = stop
                break
        if open_stop:
            break
    assert open_stop is not None, "no stop is open for registration"

    registration = create_registration.sync(
        open_stop.id,
        client=public,
        body=RegistrationRequest(
            first_name="Zoé",
            last_name="Kléber",
            email=f"zoe.kleber+{uuid.uuid4().hex[:8]}@example.fr",
            company="Alsace Informatique",
            consent=True,
            company_size=12,
        ),
    )
    assert isinstance(registration, RegistrationResponse), registration
    print(f"registered {registration.id} at {open_stop.city}: {registration.status}, "
          f"company size {registration.company_size}")

    entrance = next(c for c in open_stop.checkpoints if c.kind == "entrance")
    for expected in ("ok", "already_checked_in"):
        scan = check_in.sync(
            client=staff,
            body=CheckInRequest(token=registration.badge.token, checkpoint_id=entrance.id),
        )
        assert isinstance(scan, CheckInResponse) and scan.result == expected, scan
        print(f"scanned at the entrance: {scan.result}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080")
