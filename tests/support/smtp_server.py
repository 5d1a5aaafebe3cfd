"""A real SMTP server for Kimiko's mail tests, built on aiosmtpd.

It accepts, defers (451) or rejects (550) each message according to a
control file the test writes, and stores every accepted message as a file in
the mail directory, so a test can read back exactly what was delivered.
Modes `reject-rcpt` and `tempfail-rcpt` refuse the recipient itself, the way
Postfix does, repeating the address in the reply (for good, and greylisted).

    python3 smtp_server.py --port 2525 --maildir DIR --control FILE
"""

import argparse
import asyncio
import os
import signal
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, maildir, control):
        self.maildir = maildir
        self.control = control

    def mode(self):
        try:
            with open(self.control, encoding="utf-8") as f:
                return f.read().strip() or "accept"
        except FileNotFoundError:
            return "accept"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        mode = self.mode()
        if mode == "reject-rcpt":
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table" % address
        if mode == "tempfail-rcpt":
            return "450 4.2.0 <%s>: Recipient address rejected: Greylisted, see https://postgrey.example/help" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        mode = self.mode()
        if mode == "tempfail":
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        if mode == "reject":
            return "550 5.1.1 No such user here"
        name = "%d-%d.eml" % (time.time_ns(), os.getpid())
        path = os.path.join(self.maildir, name)
        with open(path + ".tmp", "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--control", required=True)
    args = parser.parse_args()
    os.makedirs(args.maildir, exist_ok=True)
    controller = Controller(Handler(args.maildir, args.control), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    loop = asyncio.new_event_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    loop.run_until_complete(stop)
    controller.stop()


if __name__ == "__main__":
    main()
