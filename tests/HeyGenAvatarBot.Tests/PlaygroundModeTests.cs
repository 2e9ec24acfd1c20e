using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using HeyGenAvatarBot.Conversation;

namespace HeyGenAvatarBot.Tests;

/// <summary>
/// The default mode through the example's own wiring: a WebSocket client speaks to the playground as the page does
/// (hello, then 20 ms PCM16 messages in real time), and the avatar greets it, answers the question, and sends its video.
/// </summary>
public sealed class PlaygroundModeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_websocket_client_is_greeted_and_its_spoken_question_answered_then_closing_it_ends_the_run()
    {
        var console = new LineSignallingWriter();
        try
        {
            await RunPlaygroundAsync(console);
        }
        finally
        {
            output.WriteLine(console.ToString());
        }
    }

    private static async Task RunPlaygroundAsync(LineSignallingWriter console)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Task<int> run = BotCommand.RunAsync(["--port", "0", "--size", "160x90", "--engines", "local"], console, console, _ => null, stop.Token);

        string opened = await console.WhenLine(l => l.StartsWith("Open http", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(90));
        var page = new Uri(opened.Split(' ')[1]);
        using (var http = new HttpClient())
        {
            (await http.GetStringAsync(page)).Should().Contain("<html", "the playground page is served");
        }

        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("pipeline.v1");
        await socket.ConnectAsync(new Uri($"ws://{page.Authority}/ws"), stop.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"hello\",\"version\":1,\"audio\":{\"sampleRate\":16000,\"channels\":1}}"), WebSocketMessageType.Text, true, stop.Token);
        var received = new ServerMessages(socket);
        Task reading = received.ReadAllAsync(stop.Token);

        await received.WhenText("bot_text", PlaygroundRun.Greeting.Split('!')[0] + "!").WaitAsync(TimeSpan.FromSeconds(60));
        await received.WhenSpeaking("bot", speaking: false).WaitAsync(TimeSpan.FromSeconds(60));

        ScriptedTurn weather = ScriptedTurn.LoadAll(Path.Combine(AppContext.BaseDirectory, "Assets"))[1];
        await SpeakAsync(socket, [.. weather.Pcm, .. new byte[32_000]], stop.Token); // the question, then a second of silence
        // The LLM consumes the transcription (it becomes the user's turn), so the page learns what was heard from the
        // bot's console line rather than a transcript event.
        string heard = await console.WhenLine(l => l.Contains("user said (as heard)", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(60));
        heard.Should().ContainAny(weather.Keywords);
        await received.WhenText("bot_text", weather.Reply.Split('.')[0] + ".").WaitAsync(TimeSpan.FromSeconds(60));
        received.VideoMessages.Should().BePositive("the avatar's video reaches the page");
        received.AudioMessages.Should().BePositive("the avatar's voice reaches the page");

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", stop.Token);
        int exit = await run.WaitAsync(TimeSpan.FromSeconds(60));
        await reading.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);

        exit.Should().Be(0, console.ToString());
        console.ToString().Should().Contain("sessions: 1 opened, 1 closed");
    }

    /// <summary>Sends 16 kHz mono PCM as the page's microphone does: a 20 ms audio message every 20 ms.</summary>
    private static async Task SpeakAsync(ClientWebSocket socket, byte[] pcm, CancellationToken cancellationToken)
    {
        const int chunk = 640;
        using var every20ms = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        for (int offset = 0; offset < pcm.Length && await every20ms.WaitForNextTickAsync(cancellationToken); offset += chunk)
        {
            byte[] message = new byte[16 + chunk];
            message[0] = 1; // audio
            message[1] = 1; // protocol version
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(2), 1);
            BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), 16_000);
            BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(8), offset / 32 * 1000L);
            pcm.AsSpan(offset, Math.Min(chunk, pcm.Length - offset)).CopyTo(message.AsSpan(16));
            await socket.SendAsync(message, WebSocketMessageType.Binary, true, cancellationToken);
        }
    }

    /// <summary>What the server sent: its JSON events, and counts of its media messages.</summary>
    private sealed class ServerMessages(ClientWebSocket socket)
    {
        private readonly Lock _gate = new();
        private readonly List<JsonElement> _events = [];
        private readonly List<(Func<JsonElement, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];
        private int _video;
        private int _audio;

        public int VideoMessages => Volatile.Read(ref _video);

        public int AudioMessages => Volatile.Read(ref _audio);

        /// <summary>The text of the first event of <paramref name="type"/> whose text contains <paramref name="text"/>.</summary>
        public Task<string> WhenText(string type, string text) =>
            When(e => e.GetProperty("type").GetString() == type && e.GetProperty("text").GetString()!.Contains(text, StringComparison.OrdinalIgnoreCase));

        public Task WhenSpeaking(string who, bool speaking) =>
            When(e => e.GetProperty("type").GetString() == "speaking" && e.GetProperty("who").GetString() == who && e.GetProperty("speaking").GetBoolean() == speaking);

        public async Task ReadAllAsync(CancellationToken cancellationToken)
        {
            byte[] buffer = new byte[1 << 20];
            while (socket.State == WebSocketState.Open)
            {
                int length = 0;
                WebSocketReceiveResult result;
                do
                {
                    ValueWebSocketReceiveResult part = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    result = new WebSocketReceiveResult(part.Count, part.MessageType, part.EndOfMessage);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    Interlocked.Increment(ref buffer[0] == 2 ? ref _video : ref _audio);
                    continue;
                }

                JsonElement message = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
                lock (_gate)
                {
                    _events.Add(message);
                    foreach (var waiter in _waiters.Where(w => w.Match(message)).ToList())
                    {
                        _waiters.Remove(waiter);
                        waiter.Seen.TrySetResult(message.TryGetProperty("text", out JsonElement t) ? t.GetString()! : string.Empty);
                    }
                }
            }
        }

        private Task<string> When(Func<JsonElement, bool> match)
        {
            lock (_gate)
            {
                if (_events.FirstOrDefault(match) is { ValueKind: not JsonValueKind.Undefined } seen)
                {
                    return Task.FromResult(seen.TryGetProperty("text", out JsonElement t) ? t.GetString()! : string.Empty);
                }

                var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((match, waiter));
                return waiter.Task;
            }
        }
    }
}

/// <summary>A thread-safe console for the bot that tells a test when a line it waits for was written.</summary>
internal sealed class LineSignallingWriter : TextWriter
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _all = new();
    private readonly StringBuilder _line = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _all.Append(value);
            if (value != '\n')
            {
                _line.Append(value);
                return;
            }

            string line = _line.ToString().TrimEnd('\r');
            _line.Clear();
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Seen.TrySetResult(line);
            }
        }
    }

    public Task<string> WhenLine(Func<string, bool> match)
    {
        lock (_gate)
        {
            if (_lines.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, waiter));
            return waiter.Task;
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _all.ToString();
        }
    }
}
