using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>One call the test RoomService received.</summary>
/// <param name="Method">The Twirp method (e.g. RemoveParticipant).</param>
/// <param name="Body">The JSON body.</param>
/// <param name="Authorization">The Authorization header as sent.</param>
internal sealed record RoomServiceCall(string Method, JsonElement Body, string? Authorization)
{
    /// <summary>The bearer token's claims, after checking its HS256 signature with <paramref name="secret"/>; null when the signature is wrong.</summary>
    public JsonElement? VerifiedClaims(string secret)
    {
        string[] parts = (Authorization ?? "").Replace("Bearer ", "", StringComparison.Ordinal).Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        byte[] expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        return expected.AsSpan().SequenceEqual(Base64Url.DecodeFromChars(parts[2]))
            ? JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone()
            : null;
    }
}

/// <summary>
/// A stand-in for LiveKit's RoomService over real HTTP on 127.0.0.1 (HttpListener): Twirp JSON POSTs answered by the
/// test's handler, every call recorded with its Authorization header.
/// </summary>
internal sealed class TestRoomService : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<RoomServiceCall> _calls = new();
    private readonly Func<string, JsonElement, string?, Task<(int Status, string Json)>> _handler;
    private readonly Task _loop;

    public TestRoomService(Func<string, JsonElement, Task<(int Status, string Json)>> handler)
        : this((method, body, _) => handler(method, body))
    {
    }

    public TestRoomService(Func<string, JsonElement, string?, Task<(int Status, string Json)>> handler)
    {
        _handler = handler;
        int port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    public IReadOnlyList<RoomServiceCall> Calls => [.. _calls];

    public IReadOnlyList<RoomServiceCall> Removals => [.. _calls.Where(c => c.Method == "RemoveParticipant")];

    /// <summary>
    /// Records every call and forwards it, Authorization and all, to a real RoomService (the loopback SFU's), which
    /// checks the admin token and removes the participant from its room.
    /// </summary>
    public static TestRoomService Forwarding(Uri roomService) => new(async (method, body, authorization) =>
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(roomService, "/twirp/livekit.RoomService/" + method))
        {
            Content = new StringContent(body.GetRawText(), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using HttpResponseMessage response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    });

    public async ValueTask DisposeAsync()
    {
        if (!_listener.IsListening)
        {
            await _loop;
            return;
        }

        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            string method = context.Request.Url!.AbsolutePath.Replace("/twirp/livekit.RoomService/", "", StringComparison.Ordinal);
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            JsonElement body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
            _calls.Enqueue(new RoomServiceCall(method, body, context.Request.Headers["Authorization"]));
            (int status, string json) = context.Request.HttpMethod == "POST" && context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true
                ? await _handler(method, body, context.Request.Headers["Authorization"])
                : (415, """{"code":"malformed","msg":"expected a JSON POST"}""");
            byte[] bytes = Encoding.UTF8.GetBytes(json);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
