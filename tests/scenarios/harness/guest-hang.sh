# harness: expect=timeout
# harness: timeout=5
# A guest that never finishes is killed at the timeout and reported.
echo "hanging on purpose"
while :; do sleep 1; done
