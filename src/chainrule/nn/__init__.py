"""Neural-network building blocks with PyTorch's names, arguments and state-dict layouts."""
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.nn import init  # noqa: F401
from chainrule.nn import utils  # noqa: F401
from chainrule.nn.activation import (  # noqa: F401
    CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
    LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Softmin, Softplus,
    Softshrink, Softsign, Tanh, Tanhshrink, Threshold,
)
from chainrule.nn.conv import Conv1d, Conv2d, ConvTranspose2d  # noqa: F401
from chainrule.nn.container import (  # noqa: F401
    ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential,
)
from chainrule.nn.dropout import Dropout  # noqa: F401
from chainrule.nn.dropout import Dropout2d  # noqa: F401
from chainrule.nn.embedding import Embedding  # noqa: F401
from chainrule.nn.padding import (  # noqa: F401
    CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d,
    ReplicationPad1d, ReplicationPad2d, ZeroPad1d, ZeroPad2d,
)
from chainrule.nn.pooling import (  # noqa: F401
    AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d,
)
from chainrule.nn.upsampling import Upsample  # noqa: F401
from chainrule.nn.flatten import Flatten, Unflatten  # noqa: F401
from chainrule.nn.linear import Bilinear, Identity, Linear  # noqa: F401
from chainrule.nn.pixelshuffle import PixelShuffle, PixelUnshuffle  # noqa: F401
from chainrule.nn.normalization import (  # noqa: F401
    BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm1d, InstanceNorm2d, LayerNorm, RMSNorm,
)
from chainrule.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell  # noqa: F401
from chainrule.nn.loss import (  # noqa: F401
    BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss, CrossEntropyLoss, GaussianNLLLoss,
    HingeEmbeddingLoss, HuberLoss, KLDivLoss, L1Loss, MarginRankingLoss, MSELoss,
    MultiLabelSoftMarginLoss, MultiMarginLoss, NLLLoss, PoissonNLLLoss, SmoothL1Loss,
    SoftMarginLoss, TripletMarginLoss,
)
from chainrule.nn.distance import CosineSimilarity, PairwiseDistance  # noqa: F401
# remaining losses and functional ops (feat/extra)
from chainrule.nn.loss import (  # noqa: F401
    CTCLoss, MultiLabelMarginLoss, TripletMarginWithDistanceLoss,
)
from chainrule.nn.adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: F401
# attention and Transformers
from chainrule.nn.attention import MultiheadAttention  # noqa: F401
from chainrule.nn.transformer import (  # noqa: F401
    Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
)
# nn.utils, nn.init and Module API area: bags of embeddings, SELU-preserving dropout
from chainrule.nn.dropout import AlphaDropout, FeatureAlphaDropout  # noqa: F401
from chainrule.nn.embedding import EmbeddingBag  # noqa: F401
# convolution, pooling and resampling (feat/spatial)
from chainrule.nn.conv import Conv3d, ConvTranspose1d  # noqa: F401,E402
from chainrule.nn.fold import Fold, Unfold  # noqa: F401,E402
from chainrule.nn.upsampling import UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: F401,E402
from chainrule.nn.normalization import BatchNorm3d, LocalResponseNorm  # noqa: F401,E402
from chainrule.nn.pixelshuffle import ChannelShuffle  # noqa: F401,E402
from chainrule.nn.pooling import (  # noqa: F401,E402
    AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool3d, LPPool1d, LPPool2d, MaxPool3d,
    MaxUnpool1d, MaxUnpool2d,
)
from chainrule.nn.dropout import Dropout1d, Dropout3d  # noqa: F401,E402
