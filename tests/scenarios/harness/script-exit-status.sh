# harness: expect=exit:7
# The runner returns the script's own exit status (here 7) and output.
echo "this script fails on purpose"
exit 7
