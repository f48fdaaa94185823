def test_both_flavours_expose_handler(copy_files, initial_set_trigger):
    assert callable(copy_files.handler)
    assert callable(initial_set_trigger.handler)


def test_moto(aws):
    import boto3

    s3 = boto3.client("s3")
    s3.create_bucket(
        Bucket="smoke-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["smoke-bucket"]
