package dev.kprod;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KafkaProducer configuration turned into a kprod configuration: every
 * property goes to kprod_conf_set under its Java name, so kprod checks the
 * value and names the property when it is wrong. The serializers, the
 * partitioner and the interceptors are the Java side's. What kprod does not
 * know is decided here (see the README): monitoring-only Java properties are
 * ignored, Java properties that would change behaviour kprod lacks are
 * refused, and names neither knows go only to the serializers (as
 * schema.registry.url does), unless kprod suggests a property of that
 * spelling, which makes them a typo.
 */
final class ProducerSettings<K, V> {
    private static final Logger log = LoggerFactory.getLogger(ProducerSettings.class);
    private static final AtomicInteger CLIENT_ID_SEQUENCE = new AtomicInteger(1);

    /**
     * Java properties with nothing to do for kprod: metrics reporters and telemetry
     * (kprod keeps its own metrics). transactional.id and transaction.timeout.ms
     * are kprod's own properties and go to kprod_conf_set like the rest.
     */
    private static final Set<String> IGNORED = Set.of(ProducerConfig.METRIC_REPORTER_CLASSES_CONFIG,
            ProducerConfig.ENABLE_METRICS_PUSH_CONFIG);

    /** The properties of what runs on the Java side: they never reach kprod. */
    private static final Set<String> JAVA_SIDE = Set.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProducerConfig.PARTITIONER_CLASS_CONFIG,
            ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, KprodEventListener.CONFIG);

    /** KIP-939's property: kprod has no two-phase commit, so only its default (false) is accepted. */
    private static final String TWO_PHASE_COMMIT = "transaction.two.phase.commit.enable";

    /** Owned until {@link #releaseConf()}: kprod_new takes it. */
    private SWIGTYPE_p_kprod_conf conf;
    final Serializer<K> keySerializer;
    final Serializer<V> valueSerializer;
    final String clientId;
    final long maxRequestSize;
    final long maxBlockMs;
    /** null for a producer without transactions. */
    final String transactionalId;
    /** interceptor.classes, made and configured; empty without. */
    final List<ProducerInterceptor<K, V>> interceptors;
    /** partitioner.class, made and configured; null without (kprod's built-in partitioner). */
    final Partitioner partitioner;
    /** kprod.event.listener; null without (no event is kept, no thread started). */
    final KprodEventListener eventListener;

    ProducerSettings(Map<String, ?> configs, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        Map<String, Object> originals = new TreeMap<>(configs); // sorted: the first error is stable
        conf = KprodNative.kprod_conf_new();
        boolean ok = false;
        try {
            for (Map.Entry<String, Object> e : originals.entrySet()) set(e.getKey(), e.getValue());
            String id = text(originals.get(ProducerConfig.CLIENT_ID_CONFIG));
            clientId = id == null || id.isEmpty() ? "producer-" + CLIENT_ID_SEQUENCE.getAndIncrement() : id;
            set(ProducerConfig.CLIENT_ID_CONFIG, clientId);
            maxRequestSize = Long.parseLong(get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
            maxBlockMs = Long.parseLong(get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
            String txnId = text(originals.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG));
            transactionalId = txnId == null || txnId.isEmpty() ? null : txnId;
            this.keySerializer = serializer(originals, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, keySerializer, true);
            this.valueSerializer = serializer(originals, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    valueSerializer, false);
            // As KafkaProducer: configured with every property and the client.id in effect.
            Map<String, Object> withClientId = new HashMap<>(originals);
            withClientId.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
            this.partitioner = partitioner(originals.get(ProducerConfig.PARTITIONER_CLASS_CONFIG), withClientId);
            this.interceptors = interceptors(originals.get(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG), withClientId);
            this.eventListener = eventListener(originals.get(KprodEventListener.CONFIG));
            ok = true;
        } finally {
            if (!ok) {
                KprodNative.kprod_conf_destroy(conf);
                conf = null;
            }
        }
    }

    /** The properties as a map, values as they are (a Class stays a Class), defaults included. */
    static Map<String, Object> toMap(Properties properties) {
        Map<String, Object> map = new HashMap<>();
        for (String name : properties.stringPropertyNames()) map.put(name, properties.getProperty(name));
        for (Map.Entry<Object, Object> e : properties.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new ConfigException(e.getKey().toString(), e.getValue(), "Key must be a string.");
            }
            map.put((String) e.getKey(), e.getValue());
        }
        return map;
    }

    /** Hands the configuration over (to kprod_new, which takes it). */
    SWIGTYPE_p_kprod_conf releaseConf() {
        SWIGTYPE_p_kprod_conf c = conf;
        conf = null;
        return c;
    }

    private void set(String name, Object value) {
        if (JAVA_SIDE.contains(name)) return;
        String text = text(value);
        if (text == null) return; // as KafkaProducer: null leaves the default
        byte[] error = new byte[512];
        int err = KprodNative.kprod_conf_set(conf, name, text, error, error.length);
        if (err == kprod_err_t.KPROD_OK) return;
        String message = cString(error);
        if (err != kprod_err_t.KPROD_ERR_UNKNOWN_PROPERTY) throw new ConfigException(message);
        unknownToKprod(name, text, message);
    }

    private static void unknownToKprod(String name, String value, String kprodMessage) {
        if (IGNORED.contains(name)) {
            log.debug("kprod: ignoring {}, which does not apply to kprod", name);
            return;
        }
        if (name.equals(TWO_PHASE_COMMIT)) {
            if (value.equalsIgnoreCase("false")) return;
            throw new ConfigException(name + ": KprodProducer has no two-phase commit (KIP-939); remove it or "
                    + "use KafkaProducer");
        }
        if (ProducerConfig.configNames().contains(name)) {
            throw new ConfigException(name + ": not supported by KprodProducer (" + kprodMessage
                    + "); remove it or use KafkaProducer");
        }
        if (kprodMessage.contains("did you mean")) throw new ConfigException(kprodMessage);
        // Neither producer knows it: it is the serializers' (configure() sees every property).
        log.info("kprod: {} is not a producer property; only the serializers see it", name);
    }

    private String get(String name) {
        byte[] dest = new byte[64];
        long[] size = {dest.length};
        int err = KprodNative.kprod_conf_get(conf, name, dest, size);
        if (err != kprod_err_t.KPROD_OK) throw new IllegalStateException("kprod_conf_get(" + name + "): " + err);
        return cString(dest);
    }

    private static <T> Serializer<T> serializer(Map<String, Object> originals, String name, Serializer<T> given,
            boolean isKey) {
        if (given != null) return given; // KafkaProducer does not configure serializers it is given
        Object value = originals.get(name);
        if (value == null) {
            throw new ConfigException("Missing required configuration \"" + name + "\" which has no default value.");
        }
        @SuppressWarnings("unchecked")
        Serializer<T> serializer = instance(name, value, Serializer.class);
        serializer.configure(originals, isKey);
        return serializer;
    }

    private static Partitioner partitioner(Object value, Map<String, Object> configs) {
        if (value == null || (value instanceof String && ((String) value).isBlank())) return null;
        Partitioner partitioner = instance(ProducerConfig.PARTITIONER_CLASS_CONFIG, value, Partitioner.class);
        partitioner.configure(configs);
        return partitioner;
    }

    /** kprod.event.listener: an instance, a class or a class name; events are kept only with one. */
    private KprodEventListener eventListener(Object value) {
        if (value == null || (value instanceof String && ((String) value).isBlank())) return null;
        KprodEventListener listener = value instanceof KprodEventListener ? (KprodEventListener) value
                : instance(KprodEventListener.CONFIG, value, KprodEventListener.class);
        int err = KprodNative.kprodj_enable_events(conf);
        if (err != kprod_err_t.KPROD_OK) throw new IllegalStateException("kprod_conf_set_event_cb: " + err);
        return listener;
    }

    /** Each class of interceptor.classes (a list, or names separated by commas), in order, configured. */
    private static <K, V> List<ProducerInterceptor<K, V>> interceptors(Object value, Map<String, Object> configs) {
        List<Object> classes = new ArrayList<>();
        if (value instanceof Collection<?>) {
            classes.addAll((Collection<?>) value);
        } else if (value instanceof String) {
            for (String part : ((String) value).split(",")) {
                if (!part.isBlank()) classes.add(part.trim());
            }
        } else if (value != null) {
            classes.add(value);
        }
        List<ProducerInterceptor<K, V>> interceptors = new ArrayList<>();
        try {
            for (Object c : classes) {
                @SuppressWarnings("unchecked")
                ProducerInterceptor<K, V> interceptor = instance(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, c,
                        ProducerInterceptor.class);
                interceptors.add(interceptor);
                interceptor.configure(configs);
            }
        } catch (RuntimeException e) {
            new ProducerInterceptorChain<>(interceptors).close(); // as KafkaProducer: close those already made
            throw e;
        }
        return interceptors;
    }

    /** A new instance of the class value names (a Class or a class name), which must be a type. */
    private static <T> T instance(String name, Object value, Class<T> type) {
        Class<?> c;
        if (value instanceof Class<?>) {
            c = (Class<?>) value;
        } else if (value instanceof String) {
            try {
                c = Class.forName(((String) value).trim(), true, classLoader());
            } catch (ClassNotFoundException e) {
                throw new ConfigException(name, value, "Class " + value + " could not be found.");
            }
        } else {
            throw new ConfigException(name, value, "Expected a Class or a class name");
        }
        if (!type.isAssignableFrom(c)) {
            throw new ConfigException(name, value, c.getName() + " is not an instance of " + type.getName());
        }
        try {
            return type.cast(c.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new ConfigException(name, value, "Could not instantiate " + c.getName() + ": " + e);
        }
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ProducerSettings.class.getClassLoader();
    }

    /** A property value as text: lists comma-separated, classes by name, the rest by toString. */
    private static String text(Object value) {
        if (value == null) return null;
        if (value instanceof Class<?>) return ((Class<?>) value).getName();
        if (value instanceof Collection<?>) {
            List<String> parts = new ArrayList<>();
            for (Object part : (Collection<?>) value) parts.add(text(part));
            return String.join(",", parts);
        }
        return value.toString().trim();
    }

    static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) end++;
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
