#!/usr/bin/env bash
# Makes the self-signed development certificate the default RTMPS endpoint uses (localhost, 127.0.0.1, ::1).
# The relay creates the same at start-up when these files are missing; run this to renew them by hand.
set -euo pipefail
cd "$(dirname "$0")"
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 730 \
  -keyout dev-key.pem -out dev-cert.pem -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  -addext "extendedKeyUsage=serverAuth" 2>/dev/null
echo "Wrote $(pwd)/dev-cert.pem and dev-key.pem"
