"""The test support loads each handler both ways, and both are real, distinct module objects."""


def test_both_flavours_expose_handler(copy_files, initial_set_trigger):
    assert callable(copy_files.handler)
    assert callable(initial_set_trigger.handler)
