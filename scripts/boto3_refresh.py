"""boto3 with an AssumeRole profile: the SDK assumes the role itself and
refreshes the temporary credentials; every refreshed set must work."""
import os
import sys

import boto3

session = boto3.Session(profile_name="erin-role")
s3 = session.client("s3", endpoint_url=os.environ["ENDPOINT"])
creds = session.get_credentials()
seen = set()
for i in range(3):
    s3.put_object(Bucket="erin-data", Key=f"boto3-{i}", Body=b"x")
    seen.add(creds.get_frozen_credentials().access_key)
    body = s3.get_object(Bucket="erin-data", Key=f"boto3-{i}")["Body"].read()
    assert body == b"x", body
if len(seen) < 2:
    sys.exit(f"credentials were never refreshed: {seen}")
print(f"boto3 used {len(seen)} refreshed credential sets")
