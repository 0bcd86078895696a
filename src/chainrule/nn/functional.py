"""Every layer and loss as a function, as ``torch.nn.functional``.

The engine's functions (relu, softmax, ...) are re-exported here so that
``import chainrule.nn.functional as F`` covers what PyTorch code expects.
"""
from chainrule.functions import (  # noqa: F401
    celu, elu, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, leaky_relu, log_softmax,
    logsigmoid, mish, pad, prelu, relu, relu6, selu, sigmoid, silu, softmax, softmin, softplus,
    softshrink, softsign, tanh, tanhshrink, threshold,
)
from chainrule.nn.conv import conv1d, conv2d, conv_transpose2d  # noqa: F401
from chainrule.nn.dropout import dropout  # noqa: F401
from chainrule.nn.dropout import dropout2d  # noqa: F401
from chainrule.nn.embedding import embedding, one_hot  # noqa: F401
from chainrule.nn.distance import cosine_similarity, normalize, pairwise_distance  # noqa: F401
from chainrule.nn.pooling import (  # noqa: F401
    adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d,
)
from chainrule.nn.upsampling import interpolate  # noqa: F401
from chainrule.nn.linear import bilinear, linear  # noqa: F401
from chainrule.nn.pixelshuffle import pixel_shuffle, pixel_unshuffle  # noqa: F401
from chainrule.nn.normalization import (  # noqa: F401
    batch_norm, group_norm, instance_norm, layer_norm, rms_norm,
)
from chainrule.nn.loss_functions import (  # noqa: F401
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss, kl_div,
    gaussian_nll_loss, l1_loss, mse_loss, nll_loss, poisson_nll_loss, smooth_l1_loss,
)
from chainrule.nn.margin_loss_functions import (  # noqa: F401
    cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss, multi_margin_loss,
    multilabel_soft_margin_loss, soft_margin_loss, triplet_margin_loss,
)
# remaining losses and functional ops (feat/extra)
from chainrule.nn.gumbel import gumbel_softmax  # noqa: F401
from chainrule.nn.sampling import affine_grid, grid_sample  # noqa: F401
from chainrule.nn.loss_functions import ctc_loss  # noqa: F401
from chainrule.nn.margin_loss_functions import (  # noqa: F401
    multilabel_margin_loss, triplet_margin_with_distance_loss,
)
# attention and Transformers
from chainrule.nn.attention import scaled_dot_product_attention  # noqa: F401
# nn.utils, nn.init and Module API area: bags of embeddings, SELU-preserving dropout
from chainrule.nn.dropout import alpha_dropout, feature_alpha_dropout  # noqa: F401
from chainrule.nn.embedding import embedding_bag  # noqa: F401
# convolution, pooling and resampling (feat/spatial)
from chainrule.nn.conv import conv3d, conv_transpose1d  # noqa: F401,E402
from chainrule.nn.fold import fold, unfold  # noqa: F401,E402
from chainrule.nn.normalization import local_response_norm  # noqa: F401,E402
from chainrule.nn.pixelshuffle import channel_shuffle  # noqa: F401,E402
from chainrule.nn.pooling import (  # noqa: F401,E402
    adaptive_avg_pool3d, adaptive_max_pool1d, adaptive_max_pool2d, avg_pool3d, lp_pool1d, lp_pool2d,
    max_pool3d, max_unpool1d, max_unpool2d,
)
from chainrule.nn.dropout import dropout1d, dropout3d  # noqa: F401,E402
