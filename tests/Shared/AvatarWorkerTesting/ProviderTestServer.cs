using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipeline.AvatarWorkers.Testing;

/// <summary>A request the server received, exactly as it arrived.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>What the server answers one request with. <paramref name="Hang"/>: never answer (until the client aborts).</summary>
public sealed record ScriptedAnswer(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, bool Hang = false);

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, an ephemeral port) standing in for a provider's REST API: it records every
/// request byte for byte and answers from a script (FIFO), or with <see cref="DefaultAnswer"/> when the script is empty.
/// </summary>
public sealed class ProviderTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedAnswer> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Channel<RecordedRequest> _arrivals = Channel.CreateUnbounded<RecordedRequest>();
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ProviderTestServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The answer when the script is empty.</summary>
    public Func<RecordedRequest, ScriptedAnswer> DefaultAnswer { get; set; } = _ => new ScriptedAnswer(404);

    /// <summary>Completes when a hanging request was aborted by the client.</summary>
    public Task Aborted => _aborted.Task;

    public static async Task<ProviderTestServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        ProviderTestServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new ProviderTestServer(app, new Uri($"http://127.0.0.1:{new Uri(address).Port}"));
        return server;
    }

    public void Enqueue(params ScriptedAnswer[] answers)
    {
        foreach (ScriptedAnswer answer in answers)
        {
            _script.Enqueue(answer);
        }
    }

    /// <summary>The next request to arrive (at most 30 s of real time: a bound, not a sleep).</summary>
    public async Task<RecordedRequest> NextRequestAsync() => await _arrivals.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var request = new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray());
        _requests.Enqueue(request);
        _arrivals.Writer.TryWrite(request);

        ScriptedAnswer answer = _script.TryDequeue(out ScriptedAnswer? scripted) ? scripted : DefaultAnswer(request);
        if (answer.Hang)
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                _aborted.TrySetResult();
            }

            return;
        }

        context.Response.StatusCode = answer.Status;
        foreach ((string name, string value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (answer.Body is { } text)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(text, context.RequestAborted);
        }
    }
}
