using Pipeline.AI.Llm;
using Pipeline.AI.Stt;
using Pipeline.AI.Tts;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.HeyGen.Realtime;
using Pipeline.HeyGen.Video;
using Pipeline.LocalEngines;
using Pipeline.Silero;
using Pipeline.Testing;

namespace Pipeline.VoiceBot.Tests.Support;

/// <summary>
/// The offline voice bot, every part real: Silero VAD, pocketsphinx STT, a scripted LLM, espeak-ng TTS and a
/// <see cref="HeyGenVideoService"/> on the HeyGen emulator (real HTTP and websockets on 127.0.0.1), on the system clock
/// because the engines run in real time. The harness at the end is the capture sink.
/// </summary>
internal sealed class OfflineVoiceBot : IAsyncDisposable
{
    /// <summary>TTS audio is made at 16 kHz so the avatar service has to resample it to HeyGen's 24 kHz.</summary>
    public const int TtsSampleRate = 16_000;

    private readonly SileroVadModel _model;
    private readonly PocketsphinxSpeechToTextClient _sttClient;
    private readonly EspeakTextToSpeechClient _ttsClient;
    private readonly ScriptedChatClient _chatClient;
    private readonly HeyGenApi _api;

    private OfflineVoiceBot(HeyGenEmulator emulator, ScriptedChatClientOptions script, VadOptions vad)
    {
        Emulator = emulator;
        _model = SileroVadModel.Load();
        _sttClient = new PocketsphinxSpeechToTextClient();
        _ttsClient = new EspeakTextToSpeechClient();
        _chatClient = new ScriptedChatClient(script);
        _api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
        VadOptions = vad;
        Vad = new SileroVadProcessor(_model, vad);
        Stt = new SpeechToTextProcessor(_sttClient, new SpeechToTextProcessorOptions { Language = "en-US" });
        Llm = new LLMProcessor(_chatClient);
        Tts = new TextToSpeechProcessor(_ttsClient, new TextToSpeechProcessorOptions { SampleRate = TtsSampleRate });
        Avatar = new HeyGenVideoService(_api, emulator.MediaConnector, new HeyGenVideoServiceOptions
        {
            SessionRequest = new NewSessionRequest(),
            // The emulator plays speech in real time anyway; pacing the upload too would only slow the test down.
            Realtime = new HeyGenRealtimeOptions { PaceToRealTime = false },
        });
        Assistant = Llm.CreateAssistantAggregator();
        var task = new PipelineTask(
            new FramePipeline(Vad, Stt, Llm, new SentenceAggregator(), Tts, Avatar, Assistant),
            new PipelineTaskOptions { AudioInSampleRate = UserSpeech.SampleRate, AudioOutSampleRate = 24_000, EnableMetrics = true, Observers = [Timeline] },
            loggerFactory: null,
            TimeProvider.System);
        Harness = new PipelineHarness(task);
    }

    public HeyGenEmulator Emulator { get; }

    public VadOptions VadOptions { get; }

    public SileroVadProcessor Vad { get; }

    public SpeechToTextProcessor Stt { get; }

    public LLMProcessor Llm { get; }

    public TextToSpeechProcessor Tts { get; }

    public HeyGenVideoService Avatar { get; }

    public AssistantContextAggregator Assistant { get; }

    public FrameTimeline Timeline { get; } = new();

    public PipelineHarness Harness { get; }

    /// <summary>The emulator's record of the avatar session's realtime websocket (once the session is open).</summary>
    public RealtimeEventRecorder Realtime =>
        (Emulator.FindRealtime(Avatar.SessionId ?? throw new InvalidOperationException("The avatar session is not open yet."))
            ?? throw new InvalidOperationException("The emulator has no realtime session for the avatar.")).Recorder;

    /// <summary>The emulated avatar playing the session (once the session is open).</summary>
    public EmulatedAvatar EmulatedAvatar => Emulator.FindAvatar(Avatar.SessionId!) ?? throw new InvalidOperationException("No avatar yet.");

    /// <summary>Starts the emulator and the pipeline, and waits until the avatar session is open and the output is ready.</summary>
    public static async Task<OfflineVoiceBot> StartAsync(ScriptedChatClientOptions script, VadOptions? vad = null)
    {
        HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions
        {
            Avatar = new EmulatedAvatarOptions { Width = 64, Height = 36, FrameRate = 25 },
        });
        var bot = new OfflineVoiceBot(emulator, script, vad ?? VadOptions.Default);
        bot.Harness.Start();
        await bot.Harness.WhenAtEnd<StartFrame>();
        await bot.Harness.QueueAsync(new OutputTransportReadyFrame());
        return bot;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        _api.Dispose();
        await Emulator.DisposeAsync();
        _sttClient.Dispose();
        _ttsClient.Dispose();
        _chatClient.Dispose();
        _model.Dispose();
    }
}
