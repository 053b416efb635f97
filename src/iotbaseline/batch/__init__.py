"""Many images in one run (`iotbaseline batch`): discovery, a resumable plan, each image isolated in a worker
process (a local pool or a Dask cluster), results streamed into the store and `batch.json`.

    discover  PATHs (files, folders, @lists) -> images and their folders under OUT
    plan      per image: scan, or keep the earlier run's result (resume, from the store)
    executors the local process pool or a Dask cluster, behind concurrent.futures
    worker    the executor's task: one image scanned in an isolated child, reports written there
    isolation the child: time and memory limits, crashes turned into reasons
    run       the loop: begin in the store, submit, store each result as it arrives, batch.json
"""
