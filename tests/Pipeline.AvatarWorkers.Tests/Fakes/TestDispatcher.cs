using System.Net;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>How the test provider answers a dispatch.</summary>
internal enum DispatchMode
{
    /// <summary>Accepts, and its worker joins the room shortly after.</summary>
    Join,

    /// <summary>Accepts, but no worker ever comes.</summary>
    NeverJoin,

    /// <summary>Refuses with <see cref="TestDispatcher.RefusalStatus"/>.</summary>
    Refuse,

    /// <summary>Never answers until the call is cancelled.</summary>
    Hang,
}

/// <summary>
/// A provider for tests: on dispatch its <see cref="TestWorker"/> joins the loopback SFU's room (as a real provider's
/// worker would, after the REST call returned), and it counts what it was asked to start and end.
/// </summary>
internal sealed class TestDispatcher(DispatchMode mode, WorkerBehaviour? behaviour = null) : IAvatarWorkerDispatcher, IAsyncDisposable
{
    private readonly TaskCompletionSource<TestWorker> _worker = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _dispatches;
    private int _ends;
    private Task _joining = Task.CompletedTask;

    public string Provider => "Test provider";

    public string WorkerIdentity => "avatar-worker";

    public HttpStatusCode RefusalStatus { get; init; } = HttpStatusCode.ServiceUnavailable;

    public int Dispatches => Volatile.Read(ref _dispatches);

    public int Ends => Volatile.Read(ref _ends);

    public AvatarWorkerDispatchRequest? Request { get; private set; }

    /// <summary>The worker, once it joined.</summary>
    public Task<TestWorker> Worker => _worker.Task;

    public TestWorker? JoinedWorker => _worker.Task.IsCompletedSuccessfully ? _worker.Task.Result : null;

    /// <summary>Completes when a dispatch call has begun (for cancellation tests).</summary>
    public TaskCompletionSource DispatchBegun { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask<AvatarWorkerDispatch> DispatchAsync(AvatarWorkerDispatchRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _dispatches);
        Request = request;
        DispatchBegun.TrySetResult();
        switch (mode)
        {
            case DispatchMode.Refuse:
                throw new AvatarWorkerDispatchException($"{Provider} refused to start its worker: HTTP {(int)RefusalStatus} (avatar not found).", RefusalStatus);
            case DispatchMode.Hang:
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                break;
            case DispatchMode.Join:
                // With the token the session minted: the loopback SFU verifies it and takes identity, kind and attributes from it.
                _joining = Task.Run(async () =>
                {
                    try
                    {
                        _worker.TrySetResult(await TestWorker.JoinAsync(request.LiveKitUrl, request.WorkerToken, request.AgentIdentity, behaviour ?? new WorkerBehaviour(), CancellationToken.None));
                    }
                    catch (Exception e)
                    {
                        _worker.TrySetException(e);
                    }
                }, CancellationToken.None);
                break;
        }

        return new AvatarWorkerDispatch(Provider, "test-session-1");
    }

    public ValueTask EndAsync(AvatarWorkerDispatch dispatch, CancellationToken cancellationToken)
    {
        dispatch.SessionId.Should().Be("test-session-1");
        Interlocked.Increment(ref _ends);
        return default;
    }

    public async ValueTask DisposeAsync()
    {
        await _joining;
        if (JoinedWorker is { } worker)
        {
            await worker.DisposeAsync();
        }
    }
}
